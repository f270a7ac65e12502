package sqldb

import (
	"crypto/tls"

	"github.com/jackc/pgx/v5/pgconn"
)

// verifiesServer reports whether a TLS connection made with c checks the
// server's certificate: Go's own check (InsecureSkipVerify false), or a
// callback that stands in for it (pgx's sslmode=verify-ca, or
// sslmode=require with sslrootcert, sets VerifyPeerCertificate, which
// checks the chain but not the host name).
func verifiesServer(c *tls.Config) bool {
	return !c.InsecureSkipVerify || c.VerifyPeerCertificate != nil || c.VerifyConnection != nil
}

// pgxUnverified reports whether a TLS connection pgx makes with cfg may
// leave the server unverified: the TLS config of one of its hosts or
// fallbacks does not verify it (sslmode=prefer, pgx's default, allow, or
// require without sslrootcert, set InsecureSkipVerify alone). A config
// without TLS (sslmode=disable, prefer's fallback) is no TLS connection.
func pgxUnverified(cfg *pgconn.Config) bool {
	if cfg.TLSConfig != nil && !verifiesServer(cfg.TLSConfig) {
		return true
	}
	for _, fb := range cfg.Fallbacks {
		if fb.TLSConfig != nil && !verifiesServer(fb.TLSConfig) {
			return true
		}
	}
	return false
}

// unverifiedTLS reports whether a pgx connection in TLS of state, made
// with cfg, leaves the server unverified: Go verified no chain (it skipped
// its check) and cfg may make such a connection (pgxUnverified).
func unverifiedTLS(state tls.ConnectionState, cfg *pgconn.Config) bool {
	return len(state.VerifiedChains) == 0 && pgxUnverified(cfg)
}
