//go:build tools

// Package main pins build tools that are compiled from this module's
// dependency graph. The module proxy serves exact versions only, so
// `go install tool@version` cannot be used; `go build` of an imported
// package can.
package main

import _ "github.com/hashicorp/packer-plugin-sdk/cmd/packer-sdc"
