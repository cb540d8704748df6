import type { Diagnostic as KbDiagnostic } from '../../core/kb/types';

/**
 * What the editor shows of the core's findings: VS Code's JSON language service already reports
 * syntax errors, and schema errors through the manifest's `jsonValidation`; the extension adds
 * only the semantic checks, so one typo is not reported twice. (`Validate Hint KB` and the CLI
 * still list everything.)
 */
export function editorDiagnostics(diags: KbDiagnostic[]): KbDiagnostic[] {
  return diags.filter((d) => d.code !== 'parse' && d.code !== 'schema');
}
