// Test oracle: validates many ASL definitions with the npm asl-validator in one Node process.
// stdin: a JSON array of definitions; stdout: a JSON array, for each definition the list of its errors.
"use strict";
const validator = require("asl-validator");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((definition) => {
    const { isValid, errors } = validator(definition);
    return isValid ? [] : errors.map((e) => `${e["Error code"]}: ${e.Message}`);
  });
  process.stdout.write(JSON.stringify(results));
});
