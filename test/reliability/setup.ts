// Every file's temp folders (work dirs, simulated clusters) go when it ends.
import { afterAll } from 'vitest';
import { removeTempDirs } from './harness.js';

afterAll(removeTempDirs);
