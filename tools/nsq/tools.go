//go:build tools

// Package tools pins the NSQ daemons that rxmini's integration specs run against,
// and the NSQ clients (to_nsq, nsq_tail) they use as producers and consumers that are not rxmini.
package tools

import (
	_ "github.com/nsqio/nsq/apps/nsqd"
	_ "github.com/nsqio/nsq/apps/nsq_tail"
	_ "github.com/nsqio/nsq/apps/nsqlookupd"
	_ "github.com/nsqio/nsq/apps/to_nsq"
)
