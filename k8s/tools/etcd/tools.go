//go:build tools

// Package tools pins etcd's server in this module's go.mod and go.sum.
package tools

import _ "go.etcd.io/etcd/server/v3"
