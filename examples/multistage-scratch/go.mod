module example.com/scratchsvc

go 1.22
