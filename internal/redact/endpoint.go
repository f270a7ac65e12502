package redact

import (
	"net/url"
	"strings"
)

// NotShown stands for an endpoint that Endpoint cannot show safely.
const NotShown = "(not shown: not a URL)"

// Endpoint is endpoint as an error or an operator may see it: a password
// its URL holds (http://user:password@host) is replaced by "xxxxx"; an
// endpoint that does not parse as a URL is NotShown, since where a password
// in it ends is unknown. An endpoint without "://" that holds an "@"
// (user:password@host:4566, which would parse as a URL of scheme "user")
// is read as starting with its user information, and is NotShown when that
// finds none: the "@" then ends a password that is not where a URL keeps
// one. So is one whose "://" comes after the "@" or inside the password
// (user:pass@host://x, user:pa://ss@host): it parses as a URL of scheme
// "user" whose opaque rest holds the "@".
func Endpoint(endpoint string) string {
	if !strings.Contains(endpoint, "://") && strings.Contains(endpoint, "@") {
		u, err := url.Parse("//" + endpoint)
		if err != nil || u.User == nil {
			return NotShown
		}
		return strings.TrimPrefix(u.Redacted(), "//")
	}
	u, err := url.Parse(endpoint)
	if err != nil || strings.Contains(u.Opaque, "@") {
		return NotShown
	}
	return u.Redacted()
}
