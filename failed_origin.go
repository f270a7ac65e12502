package sourceflow

// Where a handler's failure happened, set on a consumed message, before it
// is nacked, next to its reason (MetaFailure or MetaLastError), by cqrs's
// Service, and carried by every transport into the dead letter that
// failure causes (awsbus's dead-letter queue, cqrs's ChannelTransport and
// PubSubTransport, so sqlbus), so that an operator reading dead letters
// after a deploy can tell the failures of the old version from those of
// the new one, and one host's from the others'. Like the reason they
// describe one dead-lettering (IsConsumeMarker): a message moved back from
// a dead-letter store drops them when it is received, and carries them
// again only if it fails again. A process that does not know a value
// (ServiceConfig.Version left empty outside a versioned build, a host
// name the system does not give) sets no key for it.
const (
	// MetaFailedHost is the host name (os.Hostname) of the process whose
	// handler failed.
	MetaFailedHost = "sf_failed_host"
	// MetaFailedVersion is the version of the service whose handler failed
	// (cqrs.ServiceConfig.Version: by default the main module's version
	// the program was built as).
	MetaFailedVersion = "sf_failed_version"
)
