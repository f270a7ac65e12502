package cli

import (
	"sync"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// sharedFiles is the profile of the shared files (sharedProfile) a session
// reads once, when first asked: advice names where an endpoint came from
// per client and per failed line, and reading the environment and parsing
// both files each time would repeat the same work. Its zero value is ready.
type sharedFiles struct {
	once   sync.Once
	shared awsconfig.SharedConfig
	ok     bool
}

// profile is sharedProfile's answer, loaded on the first call.
func (f *sharedFiles) profile() (awsconfig.SharedConfig, bool) {
	f.once.Do(func() { f.shared, f.ok = sharedProfile() })
	return f.shared, f.ok
}
