module github.com/handover-project/handover

go 1.26.8
