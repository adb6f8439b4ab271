'use strict';
// Validates SARIF files against the SARIF 2.1.0 JSON schema.
// Usage: node validate.js FILE...   exit 0: all valid, 1: some invalid, 2: usage or setup error.
//
// The schema is the OASIS SARIF 2.1.0 schema as published with the final
// release candidate (sarif-2.1.0-rtm.5.json, a JSON Schema draft-04 document),
// shipped inside the npm package @microsoft/jest-sarif; Ajv checks it with the
// draft-04 dialect and format validation (uri, uri-reference, date-time).
const fs = require('fs');

let Ajv;
let addFormats;
let schemaPath;
try {
  Ajv = require('ajv-draft-04');
  addFormats = require('ajv-formats');
  schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
} catch (e) {
  console.error('sarif validator not installed: ' + e.message);
  process.exit(2);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.js FILE...');
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
// The schema's language-tag pattern is not valid in Unicode mode; the
// validator must still compile it exactly as written.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let invalid = 0;
for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log('invalid: ' + file + ': not JSON: ' + e.message);
    invalid++;
    continue;
  }
  if (validate(doc)) {
    console.log('valid: ' + file);
  } else {
    invalid++;
    console.log('invalid: ' + file);
    for (const err of validate.errors) {
      console.log('  ' + (err.instancePath || '/') + ' ' + err.message);
    }
  }
}
process.exit(invalid === 0 ? 0 : 1);
