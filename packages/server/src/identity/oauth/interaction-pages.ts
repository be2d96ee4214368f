import { describeScope } from './smart-scopes.js';

/**
 * The sign-in and consent pages an app sends a person to. Plain server-rendered HTML forms:
 * no script, labelled fields, errors announced (role="alert"), usable with a keyboard and a
 * screen reader.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Unichart</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:600}
input,select{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #555;border-radius:4px}
button{font:inherit;margin-top:1.25rem;margin-right:.5rem;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #0b4f8a}
button[value=allow],button[type=submit]:only-of-type{background:#0b4f8a;color:#fff}
.error{color:#a00;border-left:4px solid #a00;padding-left:.75rem}
:focus{outline:3px solid #f90;outline-offset:2px}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function signInPage(input: { action: string; appName: string; email?: string; error?: string; askTotp: boolean }): string {
  return page(
    'Sign in',
    `<h1>Sign in to Unichart</h1>
<p><strong>${escapeHtml(input.appName)}</strong> wants to use your Unichart account.</p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(input.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
${
  input.askTotp
    ? `<label for="totp">Code from your authenticator app</label>
<input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>`
    : ''
}
<button type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(input: {
  action: string;
  appName: string;
  userName: string;
  scopes: readonly string[];
  /** The person must name the patient the app works with (staff in a standalone launch). */
  askPatient: boolean;
  /** The patient already in context (EHR launch, or a patient's own record). */
  patientLabel?: string;
  error?: string;
}): string {
  const picker = input.askPatient
    ? `<label for="patient">Patient the app may work with (Patient id)</label>
<input id="patient" name="patient" required pattern="[A-Za-z0-9\\-.]{1,64}" aria-describedby="patient-hint">
<p id="patient-hint"><small>The id shown on the patient's chart.</small></p>`
    : '';
  return page(
    'Allow access',
    `<h1>Allow ${escapeHtml(input.appName)}?</h1>
<p>Signed in as ${escapeHtml(input.userName)}. The app asks to:</p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<ul>
${input.scopes.map((scope) => `<li>${escapeHtml(describeScope(scope))} <small>(<code>${escapeHtml(scope)}</code>)</small></li>`).join('\n')}
</ul>
${input.patientLabel ? `<p>Patient: <strong>${escapeHtml(input.patientLabel)}</strong></p>` : ''}
<p>The app never gets more than your own role allows.</p>
<form method="post" action="${escapeHtml(input.action)}">
${picker}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}
