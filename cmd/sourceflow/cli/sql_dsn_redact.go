package cli

import (
	"net/url"
	"strings"
)

// isSecretKey reports whether a DSN's setting named key holds a secret:
// the password, or sslpassword, the passphrase of the TLS client key. These
// are the only secrets pgx reads from a DSN (pgconn.ParseConfig), in a URL's
// query or as key=value settings; go-sql-driver/mysql reads none from its
// parameters, only the password of the user information (user:password@),
// which redactMySQL hides apart. A MySQL DSN's parameters are checked too.
// The key is compared in any case: pgx sends a PASSWORD=… setting, which it
// does not read, to the server as a parameter the server refuses, and the
// failure's message shows the DSN.
func isSecretKey(key string) bool {
	switch strings.ToLower(key) {
	case "password", "sslpassword":
		return true
	}
	return false
}

// kvSpace is what sets the settings of a key=value DSN apart, as pgx
// reads it.
const kvSpace = " \t\n\r\v\f"

// redactKeyValue returns the key=value DSN dsn with the value of each
// secret setting replaced, and those values, as written and unescaped. It
// reads the settings as pgx does: a key, '=', spaces, then a value, quoted
// ('…', a backslash escaping the next character) or up to a space (a
// backslash escaping the next character, a space too).
func redactKeyValue(dsn string) (string, []string) {
	var b strings.Builder
	var secrets []string
	for s := dsn; ; {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			b.WriteString(s)
			return b.String(), secrets
		}
		value := strings.TrimLeft(s[eq+1:], kvSpace)
		b.WriteString(s[:len(s)-len(value)])
		n := kvValueLen(value)
		if isSecretKey(strings.Trim(s[:eq], kvSpace)) {
			b.WriteString(redactedPassword)
			secrets = append(secrets, value[:n], kvUnescape(value[:n]))
		} else {
			b.WriteString(value[:n])
		}
		s = value[n:]
	}
}

// kvValueLen is the length of the key=value setting's value that starts s.
func kvValueLen(s string) int {
	quoted := strings.HasPrefix(s, "'")
	i := 0
	if quoted {
		i = 1
	}
	for ; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case quoted && s[i] == '\'':
			return i + 1
		case !quoted && strings.IndexByte(kvSpace, s[i]) >= 0:
			return i
		}
	}
	return len(s)
}

// kvUnescape is the value v of a key=value setting as pgx reads it: without
// its quotes, each backslash dropped and the character after it kept.
func kvUnescape(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = v[1 : len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			i++
			if i == len(v) {
				break
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// redactURL returns the PostgreSQL URL dsn (its scheme in lower case) with
// the password of its user information and the value of each secret
// setting of its query replaced, its hosts and ports as written, and the
// secrets. It splits the URL as pgx does: the user information ends at an
// '@' before any '/' (a '?' or a '#' does not end it), the hosts and ports
// at a '/' or a '?' outside an IPv6 address's brackets, and the query
// starts at the next '?'.
func redactURL(dsn string) (redacted, hosts string, secrets []string) {
	scheme, rest, _ := strings.Cut(dsn, "://")
	var b strings.Builder
	b.WriteString(scheme + "://")
	if i := strings.IndexAny(rest, "@/"); i >= 0 && rest[i] == '@' {
		user, password, hasPassword := strings.Cut(rest[:i], ":")
		b.WriteString(user)
		if hasPassword {
			b.WriteString(":" + redactedPassword)
			secrets = append(secrets, uriForms(password)...)
		}
		b.WriteByte('@')
		rest = rest[i+1:]
	}
	end := urlHostsEnd(rest)
	q := strings.IndexByte(rest[end:], '?')
	if q < 0 {
		return b.String() + rest, rest[:end], secrets
	}
	query, found := redactQuery(rest[end+q+1:])
	return b.String() + rest[:end+q+1] + query, rest[:end], append(secrets, found...)
}

// urlHostsEnd is where the hosts and ports of rest, a PostgreSQL URL after
// its user information, end: at the first '/' or '?' outside the brackets
// of an IPv6 address that starts a host (host1:5432,[::1]:5433/db).
func urlHostsEnd(rest string) int {
	i := 0
	for {
		if strings.HasPrefix(rest[i:], "[") {
			if end := strings.IndexByte(rest[i:], ']'); end >= 0 {
				i += end + 1
			}
		}
		for i < len(rest) && rest[i] != '/' && rest[i] != '?' && rest[i] != ',' {
			i++
		}
		if i == len(rest) || rest[i] != ',' {
			return i
		}
		i++
	}
}

// redactQuery returns query (a=1&b=2) with the value of each secret key,
// percent-decoded, replaced, and those values.
func redactQuery(query string) (string, []string) {
	var secrets []string
	pairs := strings.Split(query, "&")
	for i, pair := range pairs {
		key, value, found := strings.Cut(pair, "=")
		if found && isSecretKey(uriForms(key)[1]) {
			pairs[i] = key + "=" + redactedPassword
			secrets = append(secrets, uriForms(value)...)
		}
	}
	return strings.Join(pairs, "&"), secrets
}

// uriForms returns raw, a piece of a URL, as written and as its driver
// reads it: without the spaces around it, percent-decoded (pgx), and also
// with '+' read as a space (go-sql-driver/mysql's parameters).
func uriForms(raw string) []string {
	forms := []string{raw, strings.Trim(raw, " ")}
	if p, err := url.PathUnescape(forms[1]); err == nil {
		forms[1] = p
	}
	if q, err := url.QueryUnescape(raw); err == nil {
		forms = append(forms, q)
	}
	return forms
}

// redactMySQL returns the MySQL DSN dsn with its password, and the value
// of any secret key of its parameters, replaced, and those values. It
// splits the DSN as mysql.ParseDSN does: the parameters follow the first
// '?' after the last '/'; the password, before it, follows the first ':'
// before the last '@'.
func redactMySQL(dsn string) (string, []string) {
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return dsn, nil
	}
	head, tail := dsn[:slash], dsn[slash:]
	var secrets []string
	if at := strings.LastIndexByte(head, '@'); at >= 0 {
		if colon := strings.IndexByte(head[:at], ':'); colon >= 0 && colon+1 < at {
			secrets = append(secrets, head[colon+1:at])
			head = head[:colon+1] + redactedPassword + head[at:]
		}
	}
	if path, query, found := strings.Cut(tail, "?"); found {
		redacted, values := redactQuery(query)
		tail, secrets = path+"?"+redacted, append(secrets, values...)
	}
	return head + tail, secrets
}
