package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

const exportLong = `export writes the topology of one or more services as infrastructure code:
the queues with their dead-letter queues and redrive policies, the topics,
the subscriptions (raw delivery, filter policies, a redrive policy to the
queue's dead-letter queue), the queue policies that let the topics deliver to
the queues and their dead-letter queues, a KMS key with its alias and key policy when a file's
key is an alias, and the DynamoDB tables of the files (on-demand capacity,
time to live where a table has a TTL attribute). Deploy it with the tools you
review changes with, then run the services with provisioning set to validate
(or check it with "sourceflow validate").

Pass every service that shares queues, topics or tables in one run (-f once
per file): a queue one service sends to and another consumes is written once,
with the consumer's settings, and a table several files declare alike is
written once, so two stacks never declare one resource. Files that declare
one table with different keys, or whose services set more than 50 tags
together on a topic or table they share, are refused, and so is a
CloudFormation template of more than 500 resources (one stack's limit:
export Terraform instead) or more than 1,000,000 bytes (the most
CloudFormation reads, from S3). A template of more than 51,200 bytes is
written with a warning: CloudFormation takes no more inline, so upload it
to S3 and pass its URL (--template-url), or let "aws cloudformation deploy"
upload it (--s3-bucket). Queues, dead-letter queues, tables, keys and
aliases are protected: CloudFormation keeps them when the stack is deleted
(DeletionPolicy Retain); Terraform refuses to destroy or replace them
(prevent_destroy), so take them out of the state to leave them in place.
-o replaces a file whole or not at all, keeping its mode (a new file gets
0644); interrupted (Ctrl-C, SIGTERM) it replaces nothing (exit 130) and
leaves no temporary file. A device or named pipe is written in place:
interrupted, it has part of the output, and the error says how many bytes.
A named pipe is written once a process opens it for reading; with none
within 30 s, export fails and writes nothing. -o /dev/stdout (or /dev/fd/1)
writes the standard output as the shell set it up: a pipe, or a file it
appends to (>>). It makes no AWS call.`

// exportFlags are the flags of export's subcommands.
type exportFlags struct {
	paths  []string
	output string
}

func newExportCommand() *cobra.Command {
	cmd := parentCommand(&cobra.Command{
		Use:   "export cloudformation|terraform -f FILE [-f FILE…]",
		Short: "Write the topology as a CloudFormation template or Terraform configuration",
		Long:  exportLong,
		Example: "  sourceflow export cloudformation -f orders.topology.yaml -f payments.topology.yaml -o topology.cfn.yaml\n" +
			"  sourceflow export terraform -f orders.topology.yaml -f payments.topology.yaml > sourceflow.tf",
	})
	cmd.AddCommand(
		newExportFormatCommand("cloudformation", "a CloudFormation template (YAML)", iac.CloudFormation, templateSizeWarning,
			"  sourceflow export cloudformation -f orders.topology.yaml -f payments.topology.yaml -o topology.cfn.yaml\n"+
				"  aws cloudformation deploy --stack-name sourceflow --template-file topology.cfn.yaml"),
		newExportFormatCommand("terraform", "a Terraform configuration (HCL, hashicorp/aws provider)", iac.Terraform, nil,
			"  sourceflow export terraform -f orders.topology.yaml -f payments.topology.yaml -o sourceflow/main.tf\n"+
				"  terraform -chdir=sourceflow init && terraform -chdir=sourceflow apply"),
	)
	return cmd
}

// renderFunc renders plans in one language.
type renderFunc func(...topology.Plan) ([]byte, error)

// warnFunc returns the warning an output draws, or "" for none.
type warnFunc func(out []byte) string

// newExportFormatCommand is the subcommand of one language: render writes
// it, and warn, when not nil, warns of what its output needs.
func newExportFormatCommand(format, what string, render renderFunc, warn warnFunc, example string) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:     format + " -f FILE [-f FILE…] [-o OUT]",
		Short:   "Write the topology of the files as " + what,
		Long:    "export " + format + " writes the topology of the files as " + what + ".\n\n" + exportLong,
		Example: example,
		Args:    filesByFlag,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runExport(cmd, f, render, warn) },
	}
	cmd.Flags().StringArrayVarP(&f.paths, "file", "f", nil, `topology file, once per service ("-" reads standard input)`)
	_ = cmd.MarkFlagRequired("file")
	cmd.Flags().StringVarP(&f.output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

// filesByFlag refuses positional arguments, saying that files go with -f.
func filesByFlag(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s takes no arguments (got %q): pass each topology file with -f",
			cmd.CommandPath(), args[0])}
	}
	return nil
}

func runExport(cmd *cobra.Command, f exportFlags, render renderFunc, warn warnFunc) error {
	if stdin := slices.DeleteFunc(slices.Clone(f.paths), func(p string) bool { return p != "-" }); len(stdin) > 1 {
		return &ExitError{Code: ExitUsage, Err: errors.New(`export: "-f -" given twice; standard input holds one file`)}
	}
	plans := make([]topology.Plan, 0, len(f.paths))
	var sources []string // "service (file)", for errors
	for _, path := range f.paths {
		file, err := readTopology(cmd, path)
		if err != nil {
			return err
		}
		plan, err := file.Plan()
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", path, err)}
		}
		plans = append(plans, plan)
		sources = append(sources, fmt.Sprintf("%s (%s)", plan.Service, displayPath(path)))
	}
	out, err := render(plans...)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("export: %w\nthe files: %s%s", err, strings.Join(sources, ", "), renderAdvice(err))}
	}
	exportWarnings(cmd.ErrOrStderr(), plans, out, warn)
	if f.output == "" {
		_, err = cmd.OutOrStdout().Write(out)
		return err
	}
	return writeOutput(cmd.Context(), f.output, out)
}

// exportWarnings writes to w a warning for each queue no exported service
// consumes, then the language's warning about out, if any.
func exportWarnings(w io.Writer, plans []topology.Plan, out []byte, warn warnFunc) {
	for _, q := range iac.Unconsumed(plans...) {
		fmt.Fprintf(w, "warning: queue %s is consumed by none of the services exported; it is written with a "+
			"sender's settings, and the stack of the service that consumes it would declare it again: export that service "+
			"in the same run\n", q)
	}
	if warn == nil {
		return
	}
	if text := warn(out); text != "" {
		fmt.Fprintf(w, "warning: %s\n", text)
	}
}

// templateSizeWarning warns of a CloudFormation template too large to be
// passed inline, which must be deployed from S3.
func templateSizeWarning(out []byte) string {
	if len(out) <= iac.MaxTemplateBody {
		return ""
	}
	return fmt.Sprintf("the template is %d bytes, more than the %d bytes CloudFormation takes inline (--template-body): "+
		"upload it to S3 and pass its URL with --template-url, or let aws cloudformation deploy upload it with --s3-bucket",
		len(out), iac.MaxTemplateBody)
}

// renderAdvice says how to resolve files that disagree; other errors say
// what to do themselves.
func renderAdvice(err error) string {
	if !errors.Is(err, iac.ErrConflict) {
		return ""
	}
	return "; give each service its own queues and each file its own service, and declare a table the services share alike in each file"
}

// displayPath names a -f argument in messages.
func displayPath(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}
