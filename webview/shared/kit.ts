/**
 * THE one wrapper over the UI component kit. Pages create controls only through these functions,
 * so swapping `@vscode/webview-ui-toolkit` (deprecated upstream, archived January 2025) for its
 * successor `@vscode-elements/elements` touches this file only. Only the components used are
 * registered (vscode-badge is not: see badge()). The toolkit injects <style> elements: the page carries `<meta property="csp-nonce">`
 * so they get the page's nonce.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;
export function registerKit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField(), vsCodeProgressRing(), vsCodeDivider());
}

type Attrs = Record<string, string | undefined>;

function el(tag: string, attrs: Attrs, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary' | 'icon';
  disabled?: boolean;
  title?: string;
  testId?: string;
  onClick: () => void;
}

export function button(label: string, o: ButtonOptions): HTMLElement {
  const b = el('vscode-button', { appearance: o.appearance ?? 'primary', title: o.title, 'aria-label': o.title ?? label, 'data-testid': o.testId }, label);
  setDisabled(b, !!o.disabled);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) o.onClick();
  });
  return b;
}

export function setDisabled(control: HTMLElement, disabled: boolean): void {
  if (disabled) control.setAttribute('disabled', '');
  else control.removeAttribute('disabled');
}

export interface TextFieldOptions {
  value: string;
  testId?: string;
  size?: number;
  onInput: (value: string) => void;
}

/** A labelled text field (the label is its slotted content, so it is announced). */
export function textField(label: string, o: TextFieldOptions): HTMLElement {
  const f = el('vscode-text-field', { value: o.value, size: o.size ? String(o.size) : undefined, 'data-testid': o.testId });
  f.textContent = label;
  f.addEventListener('input', () => o.onInput(valueOf(f)));
  return f;
}

export function valueOf(control: HTMLElement): string {
  return String((control as HTMLElement & { value?: unknown }).value ?? '');
}

export function setValue(control: HTMLElement, value: string): void {
  (control as HTMLElement & { value: string }).value = value;
  control.setAttribute('value', value);
}

export function setInvalid(control: HTMLElement, invalid: boolean): void {
  control.setAttribute('aria-invalid', String(invalid));
  control.classList.toggle('invalid', invalid);
}

export interface DropdownOption {
  value: string;
  label: string;
}

export function dropdown(ariaLabel: string, options: DropdownOption[], selected: string | undefined, o: { testId?: string; onChange: (value: string) => void }): HTMLElement {
  const d = el('vscode-dropdown', { 'aria-label': ariaLabel, 'data-testid': o.testId, position: 'below' });
  setOptions(d, options, selected);
  d.addEventListener('change', () => o.onChange(valueOf(d)));
  return d;
}

export function setOptions(d: HTMLElement, options: DropdownOption[], selected: string | undefined): void {
  d.replaceChildren(...options.map((op) => {
    const opt = el('vscode-option', { value: op.value }, op.label);
    if (op.value === selected) opt.setAttribute('selected', '');
    return opt;
  }));
  if (selected !== undefined) setValue(d, selected);
}

export function progressRing(label: string): HTMLElement {
  return el('vscode-progress-ring', { 'aria-label': label });
}

/**
 * A count/status badge. Not the toolkit's vscode-badge: its template carries a `style` attribute,
 * which a nonce-only CSP blocks (reported as a violation); a themed span looks the same.
 */
export function badge(text: string, title?: string): HTMLElement {
  return el('span', { class: 'kit-badge', title, 'aria-label': title }, text);
}

export function divider(): HTMLElement {
  return el('vscode-divider', { role: 'separator' });
}
