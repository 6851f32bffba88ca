module metakv

go 1.19
