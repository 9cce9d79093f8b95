// Copies the server and its health probe into dist/, the folder the image ships.
const fs = require("fs");
const path = require("path");

const distDir = path.join(__dirname, "..", "dist");
fs.mkdirSync(distDir, { recursive: true });
for (const file of ["server.js", "healthcheck.js"]) {
  fs.copyFileSync(path.join(__dirname, file), path.join(distDir, file));
}
