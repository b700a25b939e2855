export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Row {
  id: string;
  title: string;
  measured: string;
  baseline: string;
  ratio: number;
  goal: string;
  pass: boolean;
  note?: string;
}
