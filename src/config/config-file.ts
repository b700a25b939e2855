// Reading a config file the user names (-c, OPENIM_DEPLOY_CONFIG): only a
// regular file of a sane size, parsed with YAML's resource limits, every
// failure an issue naming the file (exit 2), never a hang or a crash.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { isPlainObject, type Plain } from './paths.js';

/** A complete config is a few kilobytes; anything near this size is not one (and would cost memory to parse). */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** Aliases a config may use; an alias bomb expands a few lines into gigabytes. */
const MAX_ALIASES = 100;

type TextOrIssue = { text: string } | { issue: ConfigIssue };

/**
 * The file's text. Opened non-blocking, so a FIFO (or a device) is refused by
 * what fstat says instead of blocking the open until a writer comes.
 */
function readConfigText(file: string, label: string, maxBytes = MAX_CONFIG_BYTES): TextOrIssue {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return {
      issue: {
        path: label,
        message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      },
    };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isFIFO()
        ? 'a named pipe'
        : stat.isDirectory()
          ? 'a directory'
          : stat.isSocket()
            ? 'a socket'
            : 'a device';
      return {
        issue: {
          path: label,
          message: `${file} is ${kind}, not a regular file`,
          hint: 'save the config to a file and pass its path',
        },
      };
    }
    if (stat.size > maxBytes)
      return {
        issue: { path: label, message: `${file} is ${stat.size} bytes; a config file may have at most ${maxBytes}` },
      };
    // Read at most one byte past the cap: the size can change between fstat and read.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) break;
    }
    if (length > maxBytes)
      return { issue: { path: label, message: `${file} grew past ${maxBytes} bytes while being read` } };
    return { text: buffer.subarray(0, length).toString('utf8') };
  } catch (e) {
    return {
      issue: {
        path: label,
        message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      },
    };
  } finally {
    closeSync(fd);
  }
}

/** YAML text → the top-level mapping, or an issue naming the file (syntax, duplicate keys, alias bombs). */
function parseConfigYaml(text: string, file: string, label: string): { layer?: Plain; issue?: ConfigIssue } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { issue: { path: label, message: `${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` } };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    // yaml throws a ReferenceError for an excessive alias count (resource exhaustion) or a bad alias.
    return {
      issue: {
        path: label,
        message: `${file} is not accepted as YAML: ${(e as Error).message}`,
        hint: `a config needs no more than ${MAX_ALIASES} aliases`,
      },
    };
  }
  if (value === null || value === undefined) return { layer: {} };
  if (!isPlainObject(value)) return { issue: { path: label, message: `${file} must hold a mapping at the top level` } };
  return { layer: value };
}

/** A config file the user names, read and parsed; every failure is an issue naming the file. */
export function loadConfigFile(file: string, label: string): { layer?: Plain; issue?: ConfigIssue } {
  const read = readConfigText(file, label);
  if ('issue' in read) return { issue: read.issue };
  return parseConfigYaml(read.text, file, label);
}
