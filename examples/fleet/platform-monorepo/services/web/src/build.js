// Copies the static pages into dist/, the folder nginx serves.
const fs = require("fs");
const path = require("path");

const distDir = path.join(__dirname, "..", "dist");
fs.mkdirSync(distDir, { recursive: true });
fs.copyFileSync(path.join(__dirname, "index.html"), path.join(distDir, "index.html"));
