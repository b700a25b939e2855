// A small builder for Grafana dashboard JSON (schemaVersion 39, Grafana 10+).
// Panels query through dashboard variables (`${datasource}`, `${loki}`), so
// the dashboards work with whatever datasource uids a Grafana has: the
// bundled one, or an external Grafana the user imports them into.

export type DatasourceKind = 'prometheus' | 'loki';

export interface DatasourceRef {
  type: DatasourceKind;
  uid: string;
}

interface Target {
  refId: string;
  datasource: DatasourceRef;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
}

interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'logs' | 'text';
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: DatasourceRef;
  targets?: Target[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
}

export interface Variable {
  name: string;
  label: string;
  type: 'datasource' | 'custom';
  query: string;
  hide: 0 | 2;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  current: Record<string, unknown>;
  options: unknown[];
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  editable: boolean;
  timezone: string;
  refresh: string;
  schemaVersion: number;
  version: number;
  time: { from: string; to: string };
  annotations: { list: unknown[] };
  templating: { list: Variable[] };
  panels: Panel[];
}

const PROMETHEUS: DatasourceRef = { type: 'prometheus', uid: '${datasource}' };
export const LOKI: DatasourceRef = { type: 'loki', uid: '${loki}' };

export function datasourceVariable(kind: DatasourceKind): Variable {
  const name = kind === 'prometheus' ? 'datasource' : 'loki';
  return {
    name,
    label: kind === 'prometheus' ? 'Prometheus' : 'Loki',
    type: 'datasource',
    query: kind,
    hide: 0,
    current: {},
    options: [],
  };
}

/** A multi-select list of fixed values; "All" stands for `allValue`. */
export function customVariable(name: string, label: string, values: readonly string[], allValue: string): Variable {
  return {
    name,
    label,
    type: 'custom',
    query: values.join(','),
    hide: 0,
    multi: true,
    includeAll: true,
    allValue,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
  };
}

interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  type: 'timeseries' | 'stat' | 'logs';
  title: string;
  description?: string;
  queries: Query[];
  unit?: string;
  /** Grid width out of 24. */
  width?: number;
  height?: number;
  datasource?: DatasourceRef;
  /** Stat panels: below this value the tile is red. */
  redBelow?: number;
}

function fieldConfig(p: PanelSpec): Panel['fieldConfig'] {
  const defaults: Record<string, unknown> = { unit: p.unit ?? 'short' };
  if (p.type === 'stat') {
    defaults['thresholds'] = {
      mode: 'absolute',
      steps: [
        { color: 'red', value: null },
        { color: 'green', value: p.redBelow ?? 1 },
      ],
    };
  }
  if (p.type === 'timeseries')
    defaults['custom'] = { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never' };
  return { defaults, overrides: [] };
}

function options(p: PanelSpec): Record<string, unknown> {
  if (p.type === 'stat')
    return {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'none',
      textMode: 'value_and_name',
      orientation: 'auto',
    };
  if (p.type === 'logs')
    return { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true };
  return {
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
    tooltip: { mode: 'multi', sort: 'desc' },
  };
}

/** Lays panels out left to right in rows of 24 columns. */
function layout(specs: readonly PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((p, i) => {
    const w = p.width ?? 12;
    const h = p.height ?? (p.type === 'stat' ? 5 : 8);
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    const datasource = p.datasource ?? PROMETHEUS;
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      gridPos,
      datasource,
      targets: p.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource,
        expr: q.expr,
        ...(q.legend ? { legendFormat: q.legend } : {}),
        ...(p.type === 'stat' ? { instant: true, range: false } : {}),
      })),
      fieldConfig: fieldConfig(p),
      options: options(p),
    };
  });
}

export function dashboard(d: {
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  panels: PanelSpec[];
}): Dashboard {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['openim'],
    editable: true,
    timezone: 'browser',
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    annotations: { list: [] },
    templating: { list: d.variables },
    panels: layout(d.panels),
  };
}

/** Every PromQL expression of a dashboard (targets on a Prometheus datasource). */
export function promqlOf(d: Dashboard): { panel: string; expr: string }[] {
  return d.panels.flatMap((p) =>
    (p.targets ?? []).filter((t) => t.datasource.type === 'prometheus').map((t) => ({ panel: p.title, expr: t.expr })),
  );
}
