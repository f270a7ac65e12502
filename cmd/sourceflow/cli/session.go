package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/redact"
)

// session is what a command works on: the topology file, its plan and a
// Provisioner over the AWS clients.
type session struct {
	path    string
	plan    topology.Plan
	clients Clients
	prov    *topology.Provisioner
	// shared is the shared files' profile, loaded once, when advice first
	// names where an endpoint came from.
	shared sharedFiles
}

// fileCommand completes cmd as a command of one topology file and no
// arguments: it adds the -f flag, and running cmd calls run with the file's
// path.
func fileCommand(cmd *cobra.Command, run func(cmd *cobra.Command, path string) error) *cobra.Command {
	var path string
	flagCommand(cmd, &path, run)
	addFileFlag(cmd, &path)
	return cmd
}

// addFileFlag adds the required -f/--file flag.
func addFileFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVarP(path, "file", "f", "", `topology file ("-" reads standard input)`)
	_ = cmd.MarkFlagRequired("file")
}

// open reads the topology file at path, derives its plan, and only then
// builds the clients, so an invalid file is reported without AWS.
func (g *globals) open(ctx context.Context, cmd *cobra.Command, path string) (*session, error) {
	f, err := readTopology(cmd, path)
	if err != nil {
		return nil, err
	}
	plan, err := f.Plan()
	if err != nil { // DecodeFile checked it; kept for files built otherwise
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", path, err)}
	}
	clients, err := g.cfg.Clients(ctx)
	if err == nil {
		err = clients.Validate()
	}
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	if g.accountID != "" {
		clients.AccountID = g.accountID
	}
	if g.skipKey {
		clients.KMS = nil
	}
	prov, err := newProvisioner(clients)
	if err != nil {
		return nil, err
	}
	return &session{path: path, plan: plan, clients: clients, prov: prov}, nil
}

// newProvisioner returns a Provisioner over clients; a refused
// configuration is a usage error.
func newProvisioner(clients Clients) (*topology.Provisioner, error) {
	prov, err := topology.NewProvisioner(topology.ProvisionerConfig{
		SQS: clients.SQS, SNS: clients.SNS, STS: clients.STS, Region: clients.Region, AccountID: clients.AccountID,
		DynamoDB: clients.DynamoDB, KMS: clients.KMS,
	})
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return prov, nil
}

func readTopology(cmd *cobra.Command, path string) (topology.File, error) {
	var r io.Reader = cmd.InOrStdin()
	if path != "-" {
		file, err := os.Open(path) // #nosec G304 -- the file the operator names with -f
		if err != nil {
			return topology.File{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("read topology file: %w", err)}
		}
		defer file.Close()
		r = file
	}
	f, err := topology.DecodeFile(r)
	switch {
	case errors.Is(err, topology.ErrInvalidFile):
		return topology.File{}, &ExitError{Code: ExitUsage,
			Err: fmt.Errorf("%s: %w\nfix the fields named above in %s", path, err, path)}
	case err != nil: // not read at all: a directory, say
		return topology.File{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", path, err)}
	}
	return f, nil
}

// awsFailure is the error of a failed AWS call: what failed, and what to
// check (a call cut short by the command's time says so instead, naming
// the service that did not answer, as callService does; one cut short by
// an interrupt says so). what starts with the command's name; the help that lists the
// permissions of the dlq and the dynamo commands is their parent's. A failed call is
// advised with the region and endpoint of the client that made it, by the
// service the SDK names in err: the SNS, STS, DynamoDB or KMS client's
// (the KMS client checks the file's key), the SQS client's otherwise
// (callTarget).
func (s *session) awsFailure(what string, err error) error {
	_, region, endpoint := s.callTarget(err)
	return s.awsFailureAt(what, err, region, endpoint)
}

// awsFailureAt is awsFailure for a call of a client of its own, whose
// region and endpoint (as endpointNote words it) the advice names.
func (s *session) awsFailureAt(what string, err error, region, endpoint string) error {
	switch {
	case errors.Is(err, context.Canceled):
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: interrupted: %w", what, err)}
	case errors.Is(err, context.DeadlineExceeded):
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: %w\n%s", what, err,
			unansweredText(callService(err), "in time", region, endpoint, "--timeout"))}
	}
	help := "sourceflow --help"
	for _, group := range []string{"dlq", "dynamo"} {
		if strings.HasPrefix(what, group) {
			help = "sourceflow " + group + " --help"
		}
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: %w\n%s", what, err, credentialsText(region, endpoint, help))}
}

// source names the topology file in messages.
func (s *session) source() string {
	if s.path == "-" {
		return "standard input"
	}
	return s.path
}

// fileArg is the -f argument of a command a message tells the operator to
// run: the session's file, or the placeholder FILE for a topology read
// from standard input, which a command named in a message cannot read
// again.
func fileArg(path string) string {
	if path == "-" {
		return "FILE"
	}
	return path
}

// where describes the account the session talks to, for headers.
func (s *session) where() string {
	if e := s.endpoint(); e != "" {
		return s.clients.Region + " at " + e
	}
	return s.clients.Region
}

// endpoint is the endpoint override as messages show it (redact.Endpoint):
// a password in it (http://user:password@host, for a proxy that asks for
// one) is replaced by "xxxxx"; one that Clients.Validate refuses is not
// shown.
func (s *session) endpoint() string {
	if s.clients.Endpoint == "" {
		return ""
	}
	return redact.Endpoint(s.clients.Endpoint)
}

// checkTimeout refuses a --timeout that leaves no time, as a usage error
// before any AWS or database call: every call would fail at once, and the
// failure would send the operator to check an endpoint that is fine.
func (g *globals) checkTimeout() error {
	if g.timeout <= 0 {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--timeout %s: want a positive duration, such as 30s or 10m", g.timeout)}
	}
	return nil
}

// withTimeout bounds a command by --timeout.
func (g *globals) withTimeout(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), g.timeout)
}
