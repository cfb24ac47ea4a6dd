module github.com/weppos/publicsuffix-go

go 1.22
