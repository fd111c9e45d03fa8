module example.com/tuned

go 1.25
