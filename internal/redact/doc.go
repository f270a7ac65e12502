// Package redact shows an endpoint URL in an error or in a command's output
// without the password it may hold.
package redact
