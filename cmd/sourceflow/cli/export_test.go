package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// paymentsBinding is the payments service of examples/orders.
func paymentsBinding() sourceflow.Binding {
	b := ordersBinding()
	b.Service = "payments"
	b.Listeners = []sourceflow.Listener{
		{Destination: "payments.fifo", Kind: sourceflow.KindCommand, Types: []string{"payments.ProcessPayment"}},
	}
	return b
}

func plansOf(t *testing.T, opts topology.Options, bindings ...sourceflow.Binding) []topology.Plan {
	t.Helper()
	var plans []topology.Plan
	for _, b := range bindings {
		p, err := topology.New(b, opts)
		require.NoError(t, err)
		plans = append(plans, p)
	}
	return plans
}

func TestExport_WritesTheUnionOfTheFilesAsEachFormat(t *testing.T) {
	opts := topology.Options{KMSKeyID: "alias/orders"}
	orders, payments := writeTopology(t, ordersBinding(), opts), writeTopology(t, paymentsBinding(), opts)
	plans := plansOf(t, opts, ordersBinding(), paymentsBinding())
	for format, render := range map[string]func(...topology.Plan) ([]byte, error){
		"cloudformation": iac.CloudFormation, "terraform": iac.Terraform,
	} {
		want, err := render(plans...)
		require.NoError(t, err)

		out, errOut, code := newFakeAWS().run(t, "export", format, "-f", orders, "-f", payments)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Equal(t, string(want), out, format)

		path := filepath.Join(t.TempDir(), "out")
		out, errOut, code = newFakeAWS().run(t, "export", format, "-f", payments, "-f", orders, "-o", path)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Empty(t, out)
		written, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(written), "%s: the order of the files does not matter", format)
	}
}

// shopTables are the tables of the example's DynamoDB stores, named with
// the prefix shop_.
func shopTables() []topology.Table {
	return []topology.Table{
		{Name: "shop_commands", PartitionKey: "pk", SortKey: "sk"},
		{Name: "shop_entities", PartitionKey: "pk", SortKey: "sk"},
		{Name: "shop_views", PartitionKey: "pk", SortKey: "sk"},
		{Name: "shop_idempotency", PartitionKey: "id", TTLAttribute: "expires_at"},
	}
}

func TestExport_WritesATableTheFilesShareOnce(t *testing.T) {
	opts := topology.Options{Tables: shopTables()}
	orders, payments := writeTopology(t, ordersBinding(), opts), writeTopology(t, paymentsBinding(), opts)
	// The resources and the table names, as each format writes them.
	formats := map[string]struct{ resource, name string }{
		"cloudformation": {`(?m)^ {4}Type: AWS::DynamoDB::Table$`, `(?m)^ {6}TableName: %s$`},
		"terraform":      {`(?m)^resource "aws_dynamodb_table" `, `(?m)^ {2}name += "%s"$`},
	}
	for format, re := range formats {
		out, errOut, code := newFakeAWS().run(t, "export", format, "-f", orders, "-f", payments)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Len(t, regexp.MustCompile(re.resource).FindAllString(out, -1), 4, "%s: four tables", format)
		for _, tbl := range shopTables() {
			name := regexp.MustCompile(fmt.Sprintf(re.name, regexp.QuoteMeta(tbl.Name)))
			assert.Len(t, name.FindAllString(out, -1), 1, "%s: table %s once", format, tbl.Name)
		}
	}
}

func TestExport_RefusesWhatItCannotRenderWithoutWritingAnything(t *testing.T) {
	orders := writeTopology(t, ordersBinding(), topology.Options{})
	tables := shopTables()
	ordersTables := writeTopology(t, ordersBinding(), topology.Options{Tables: tables})
	tables[2].SortKey = "id" // shop_views with other keys
	paymentsTables := writeTopology(t, paymentsBinding(), topology.Options{Tables: tables})
	// payments consumes orders.fifo too: two services would take each other's messages.
	other := paymentsBinding()
	other.Listeners = append(other.Listeners, sourceflow.Listener{
		Destination: "orders.fifo", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}})
	conflicting := writeTopology(t, other, topology.Options{MaxReceiveCount: 3})
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nservice: s\ndestinations:\n  - name: q\n    kind: queue\n"), 0o600))
	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"conflict", []string{"export", "terraform", "-f", orders, "-f", conflicting},
			[]string{`queue "orders.fifo": services "orders" and "payments" both consume it`,
				"the files: orders (" + orders + "), payments (" + conflicting + "); give each service its own queues"}},
		{"table declared differently", []string{"export", "cloudformation", "-f", ordersTables, "-f", paymentsTables},
			[]string{`table "shop_views": service "orders" declares it with partition key "pk", sort key "sk" and service "payments" ` +
				`with partition key "pk", sort key "id"`,
				"the files: orders (" + ordersTables + "), payments (" + paymentsTables + ")"}},
		{"same service twice", []string{"export", "cloudformation", "-f", orders, "-f", orders},
			[]string{`service "orders": two plans`}},
		{"invalid file", []string{"export", "cloudformation", "-f", orders, "-f", bad},
			[]string{bad + ": topology: invalid topology file: destinations[0].kind"}},
		{"stdin twice", []string{"export", "terraform", "-f", "-", "-f", "-"}, []string{`"-f -" given twice`}},
		{"no file", []string{"export", "terraform"}, []string{`required flag(s) "file" not set`}},
		{"unknown format", []string{"export", "pulumi", "-f", orders},
			[]string{`unknown command "pulumi" for "sourceflow export"; its commands are cloudformation and terraform`}},
		{"no format", []string{"export", "-f", orders},
			[]string{`"sourceflow export" needs a command before -f: one of cloudformation and terraform`}},
		{"file as argument", []string{"export", "terraform", orders},
			[]string{"sourceflow export terraform takes no arguments", "pass each topology file with -f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.tf")
			fake := newFakeAWS()
			out, errOut, code := fake.run(t, append(tt.args, "-o", path)...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Empty(t, out)
			for _, s := range tt.stderr {
				assert.Contains(t, errOut, s)
			}
			assert.NoFileExists(t, path)
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			assert.Empty(t, entries, "no temporary file left")
			assert.Zero(t, fake.clientCalls.Load(), "export makes no AWS call")
		})
	}
}

func TestExport_WarnsOfAQueueNoExportedServiceConsumes(t *testing.T) {
	orders := writeTopology(t, ordersBinding(), topology.Options{})
	out, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", orders)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, `resource "aws_sqs_queue" "payments_fifo"`)
	assert.Contains(t, errOut, "warning: queue payments.fifo is consumed by none of the services exported")

	_, errOut, code = newFakeAWS().run(t, "export", "terraform", "-f", orders, "-f", writeTopology(t, paymentsBinding(), topology.Options{}))
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Empty(t, errOut)
}

func TestExport_ReadsStandardInputAndReplacesTheOutputFile(t *testing.T) {
	text, err := os.ReadFile(writeTopology(t, paymentsBinding(), topology.Options{}))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "main.tf")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	cfg, out, errOut := newFakeAWS().config(string(text))
	code := cli.Run(t.Context(), cfg, []string{"export", "terraform", "-f", "-", "-o", path})
	require.Equal(t, cli.ExitOK, code, errOut.String())
	assert.Empty(t, out.String())
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the replaced file's mode is kept")

	_, errOut2, code := newFakeAWS().run(t, "export", "terraform", "-f", writeTopology(t, paymentsBinding(), topology.Options{}),
		"-o", filepath.Join(t.TempDir(), "missing", "main.tf"))
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut2, "missing does not exist; create it first")
}

// A system CloudFormation cannot declare in one stack is refused with what
// to do instead, not with the advice for files that disagree.
func TestExport_RefusesATemplateOfMoreResourcesThanAStackMayDeclare(t *testing.T) {
	work := writeTopology(t, workBinding(126), topology.Options{}) // 504 resources

	out, errOut, code := newFakeAWS().run(t, "export", "cloudformation", "-f", work)

	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "would declare 504 resources, and CloudFormation refuses a stack of more than 500: render the services as Terraform")
	assert.NotContains(t, errOut, "give each service its own queues")
	_, errOut, code = newFakeAWS().run(t, "export", "terraform", "-f", work)
	assert.Equal(t, cli.ExitOK, code, errOut)
}

// workBinding is a service that consumes n command queues: with a
// dead-letter queue and a policy of each, 4n resources.
func workBinding(n int) sourceflow.Binding {
	b := sourceflow.Binding{Service: "work"}
	for i := range n {
		dest := fmt.Sprintf("work%03d", i)
		b.Routes = append(b.Routes, sourceflow.Route{Type: "work.Do" + dest, Kind: sourceflow.KindCommand, Destination: dest})
		b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: dest, Kind: sourceflow.KindCommand, Types: []string{"work.Do" + dest}})
	}
	return b
}

// A template too large for CloudFormation to take inline is written, with a
// warning naming the limit and how to deploy it from S3; Terraform has no
// such limit and draws no warning.
func TestExport_WarnsOfATemplateTooLargeToPassInline(t *testing.T) {
	work := writeTopology(t, workBinding(100), topology.Options{})
	path := filepath.Join(t.TempDir(), "work.cfn.yaml")

	out, errOut, code := newFakeAWS().run(t, "export", "cloudformation", "-f", work, "-o", path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Empty(t, out)
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(written), 51200, "the template crosses the inline limit")
	assert.Equal(t, fmt.Sprintf("warning: the template is %d bytes, more than the 51200 bytes CloudFormation takes inline "+
		"(--template-body): upload it to S3 and pass its URL with --template-url, or let aws cloudformation deploy upload "+
		"it with --s3-bucket\n", len(written)), errOut)

	_, errOut, code = newFakeAWS().run(t, "export", "terraform", "-f", work)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Empty(t, errOut)
	_, errOut, code = newFakeAWS().run(t, "export", "cloudformation", "-f", writeTopology(t, workBinding(2), topology.Options{}))
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Empty(t, errOut, "a template within the limit draws no warning")
}

// -o naming what is not a regular file gets the template without being
// replaced: a named pipe (as /dev/null, a device, would be) stays a pipe
// and its reader gets the template, and a symbolic link stays a link
// whose target gets it.
func TestExport_WritesThroughWhatTheOutputPathIs(t *testing.T) {
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	dir := t.TempDir()

	pipe := filepath.Join(dir, "pipe")
	require.NoError(t, syscall.Mkfifo(pipe, 0o600))
	read := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(pipe) // opening waits for the writer
		read <- b
	}()
	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", pipe)
	require.Equal(t, cli.ExitOK, code, errOut)
	st, err := os.Lstat(pipe)
	require.NoError(t, err)
	require.Equal(t, os.ModeNamedPipe, st.Mode().Type(), "the pipe is still a pipe")
	select {
	case b := <-read:
		assert.Contains(t, string(b), `resource "aws_sqs_queue" "payments_fifo"`)
	case <-time.After(time.Minute): // a bound, not a timing target: the write is done
		t.Fatal("the pipe's reader got nothing")
	}

	target := filepath.Join(dir, "main.tf")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o644))
	link := filepath.Join(dir, "link.tf")
	require.NoError(t, os.Symlink(target, link))
	_, errOut, code = newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", link)
	require.Equal(t, cli.ExitOK, code, errOut)
	st, err = os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, st.Mode().Type(), "the link is still a link")
	written, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)

	_, errOut, code = newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", dir)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "is a directory; name a file")
}

// -o naming a symbolic link to a file yet to be made makes the file
// through the link, which stays.
func TestExport_MakesTheTargetOfADanglingLinkThroughIt(t *testing.T) {
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	dir := t.TempDir()

	link := filepath.Join(dir, "link.tf")
	require.NoError(t, os.Symlink("main.tf", link)) // relative, to a file not made yet
	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", link)
	require.Equal(t, cli.ExitOK, code, errOut)
	st, err := os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, st.Mode().Type(), "the link is still a link")
	written, err := os.ReadFile(filepath.Join(dir, "main.tf"))
	require.NoError(t, err)
	assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)
}
