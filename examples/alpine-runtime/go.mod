module example.com/alpinesvc

go 1.23
