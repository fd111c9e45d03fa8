module example.com/naive

go 1.22
