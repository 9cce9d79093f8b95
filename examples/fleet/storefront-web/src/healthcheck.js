// Exits 0 when the local server returns 200 for /healthz, so Docker can run it as the HEALTHCHECK.
const http = require("http");

http
  .get("http://127.0.0.1:3000/healthz", (response) => process.exit(response.statusCode === 200 ? 0 : 1))
  .on("error", () => process.exit(1));
