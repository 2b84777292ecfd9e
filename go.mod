module github.com/gorseq/percpu

go 1.26.0

require (
	github.com/dustin/go-humanize v1.1.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
