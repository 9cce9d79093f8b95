// Exits 0 when the local server answers /healthz, so Docker can use it as HEALTHCHECK.
const http = require("http");

http
  .get("http://127.0.0.1:3000/healthz", (response) => process.exit(response.statusCode === 200 ? 0 : 1))
  .on("error", () => process.exit(1));
