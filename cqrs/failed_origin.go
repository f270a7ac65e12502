package cqrs

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// maxVersionBytes bounds ServiceConfig.Version: a version is a short
// label, and every dead letter carries it.
const maxVersionBytes = 128

// failedOrigin is where a handler's failure happens: this process's host
// and the service's version, read once, when the service is made, and set
// on each failed message next to its reason (see markFailure).
type failedOrigin struct {
	host, version string
}

// newFailedOrigin returns the origin of the failures of a service of
// version: os.Hostname's host, none when the system gives none.
func newFailedOrigin(version string) failedOrigin {
	host, err := os.Hostname()
	if err != nil {
		host = ""
	}
	return failedOrigin{host: host, version: version}
}

// mark sets o on msg, whose handler failed: sourceflow.MetaFailedHost and
// sourceflow.MetaFailedVersion, each only when known.
func (o failedOrigin) mark(msg *message.Message) {
	if o.host != "" {
		msg.Metadata.Set(sourceflow.MetaFailedHost, o.host)
	}
	if o.version != "" {
		msg.Metadata.Set(sourceflow.MetaFailedVersion, o.version)
	}
}

// copyFailedOrigin copies to dead, the dead letter of consumed, where
// consumed's handler failed (sourceflow.MetaFailedHost and
// sourceflow.MetaFailedVersion), when it says so.
func copyFailedOrigin(dead, consumed *message.Message) {
	for _, k := range [...]string{sourceflow.MetaFailedHost, sourceflow.MetaFailedVersion} {
		if v := consumed.Metadata.Get(k); v != "" {
			dead.Metadata.Set(k, v)
		}
	}
}

// buildVersion is ServiceConfig.Version's default: the main module's
// version the program was built as (debug.ReadBuildInfo), "" when it has
// none or is "(devel)" (built inside its module's work tree without a
// version control stamp, or run by go test).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
}

// checkVersion reports a ServiceConfig.Version that is no line of
// printable text or longer than maxVersionBytes.
func checkVersion(v string) error {
	if err := fieldcheck.PrintableLine(v); err != nil {
		return fmt.Errorf("cqrs: ServiceConfig.Version %w", err)
	}
	if len(v) > maxVersionBytes {
		return fmt.Errorf("cqrs: ServiceConfig.Version is %d bytes long, must be at most %d", len(v), maxVersionBytes)
	}
	return nil
}
