module openim-deploy.local/hello

go 1.24
