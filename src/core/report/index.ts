/** HTML report and metric-table export (pure Node; no vscode). */
export { writeReport } from './write';
