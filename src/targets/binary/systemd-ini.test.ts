import { describe, expect, it } from 'vitest';
import { execStart, parseUnit, renderUnit } from './systemd-ini.js';

describe('renderUnit', () => {
  it('writes sections in systemd order, arrays as repeated keys, booleans as yes/no, empty assignments', () => {
    const text = renderUnit(
      {
        Install: { WantedBy: 'multi-user.target' },
        Service: {
          ExecStart: '/bin/x -i %i',
          NoNewPrivileges: true,
          PrivateNetwork: false,
          CapabilityBoundingSet: '',
          SystemCallFilter: ['@system-service', '~@privileged'],
          Skipped: undefined,
          LimitNOFILE: 100000,
        },
        Unit: { Description: 'x', After: ['a.service', 'b.target'] },
      },
      'managed\nby us',
    );
    expect(text).toBe(
      [
        '# managed',
        '# by us',
        '',
        '[Unit]',
        'Description=x',
        'After=a.service',
        'After=b.target',
        '',
        '[Service]',
        'ExecStart=/bin/x -i %i',
        'NoNewPrivileges=yes',
        'PrivateNetwork=no',
        'CapabilityBoundingSet=',
        'SystemCallFilter=@system-service',
        'SystemCallFilter=~@privileged',
        'LimitNOFILE=100000',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  it('refuses values that would inject directives, and odd keys', () => {
    expect(() => renderUnit({ Service: { ExecStart: '/bin/x\nExecStartPre=/bin/evil' } })).toThrow(/one line/);
    expect(() => renderUnit({ Service: { ExecStart: '/bin/x \\' } })).toThrow(/one line/);
    expect(() => renderUnit({ Service: { 'Exec Start': '/bin/x' } })).toThrow(/invalid unit key/);
    expect(() => renderUnit({ 'Ser]vice': { A: 'b' } })).toThrow(/section/);
  });

  it('round-trips through parseUnit', () => {
    const unit = { Unit: { Description: 'd', Wants: ['a', 'b'] }, Service: { Environment: ['A=1', 'B=x=y'] } };
    expect(parseUnit(renderUnit(unit))).toEqual({
      Unit: { Description: ['d'], Wants: ['a', 'b'] },
      Service: { Environment: ['A=1', 'B=x=y'] },
    });
  });

  it('quotes ExecStart arguments so systemd passes each one unchanged', () => {
    expect(
      execStart([
        '/usr/bin/prometheus-node-exporter',
        '--web.listen-address=127.0.0.1:9100',
        '--collector.systemd.unit-include=openim.+\\.service',
      ]),
    ).toBe(
      '/usr/bin/prometheus-node-exporter --web.listen-address=127.0.0.1:9100 "--collector.systemd.unit-include=openim.+\\\\.service"',
    );
    expect(execStart(['/bin/x', 'two words', 'say "hi"', '50%', '$HOME', ''])).toBe(
      '/bin/x "two words" "say \\"hi\\"" 50%% $$HOME ""',
    );
  });
});
