module example.com/platform/container-janitor

go 1.23
