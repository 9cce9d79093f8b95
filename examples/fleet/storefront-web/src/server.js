const express = require("express");

const app = express();
app.get("/healthz", (_request, response) => response.sendStatus(200));
app.get("/", (_request, response) => response.send("<h1>Storefront</h1>"));
app.listen(3000);
