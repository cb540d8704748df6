/** HTML report and metric-table export (pure Node; no vscode). */
export { renderReportHtml, jsonForScript, scriptForHtml, reportCsp, EMBEDDED_DATA_ID, type ReportAssets } from './html';
export { writeReport, loadResults, findReportAssets, RESULTS_FILE, REPORT_FILE, type WriteReportOptions, type WriteReportResult } from './write';
export { exportMetricTable, metricTableCsv, metricTableLatex, metricTableJson, latexEscape, toCsv, EXPORT_FORMATS, EXPORT_EXTENSIONS, type ExportFormat, type ExportOptions } from './export';
export { metricTable, conditionLabel, orderMetrics } from './table';
