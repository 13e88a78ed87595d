// Integration tests talk HTTPS to CRM simulators whose certificate is signed by a CA made for the run (global
// setup). Worker processes trust it through NODE_EXTRA_CA_CERTS; a run in band started before that variable
// existed, so the CA is added to the default store here. Verification stays on everywhere.
const tls = require('node:tls');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.LEADFLOW_TEST_TLS_DIR;
if (dir && typeof tls.setDefaultCACertificates === 'function') {
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const current = tls.getCACertificates('default');
  if (!current.includes(ca)) tls.setDefaultCACertificates([...current, ca]);
}
