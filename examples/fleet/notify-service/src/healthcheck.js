// The service has no HTTP port, so it counts as healthy whenever Node can start.
process.exit(0);
