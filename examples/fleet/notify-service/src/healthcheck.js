// The service has no HTTP port; it is healthy while its process can start Node.
process.exit(0);
