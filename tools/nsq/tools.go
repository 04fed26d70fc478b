//go:build tools

// Package tools pins the NSQ daemons that rxmini's integration specs run against.
package tools

import (
	_ "github.com/nsqio/nsq/apps/nsqd"
	_ "github.com/nsqio/nsq/apps/nsqlookupd"
)
