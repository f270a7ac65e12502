//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// Environment of a sequence child process: the dialect, the table prefix
// the parent migrated and the file the child writes its numbers to.
const (
	seqChildDialect = "SOURCEFLOW_SEQ_CHILD_DIALECT"
	seqChildPrefix  = "SOURCEFLOW_SEQ_CHILD_PREFIX"
	seqChildOut     = "SOURCEFLOW_SEQ_CHILD_OUT"
)

const (
	seqProcesses = 2
	seqWorkers   = 8
	seqCalls     = 1000
	seqEntity    = "order-1"
)

// TestSQLStoreSequenceAcrossProcesses proves that NextSequence never hands
// one number out twice across processes: two child processes (this test
// binary, re-executed), each with 8 goroutines × 1,000 calls on one entity,
// reserve exactly 1..16,000 between them. It runs on PostgreSQL, which the
// integration run always has, and on MySQL/MariaDB when its DSN is set.
func TestSQLStoreSequenceAcrossProcesses(t *testing.T) {
	for _, tc := range []struct {
		dialect  sourceflow.Dialect
		env      string
		required bool
	}{
		{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN", true},
		{sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN", false},
	} {
		t.Run(string(tc.dialect), func(t *testing.T) {
			dsn := os.Getenv(tc.env)
			if dsn == "" {
				msg := fmt.Sprintf("%s is not set: the cross-process sequence test on %s did NOT run", tc.env, tc.dialect)
				if tc.required {
					t.Fatal(msg)
				}
				t.Skip("SKIPPED: " + msg)
			}
			prefix := migrateSequenceTables(t, tc.dialect, dsn)
			dir := t.TempDir()
			outs := runSequenceChildren(t, tc.dialect, prefix, dir)
			assertExactlyOnce(t, readSequences(t, outs), seqProcesses*seqWorkers*seqCalls)
		})
	}
}

// migrateSequenceTables creates the store's tables on a fresh prefix, so the
// children start on a migrated schema; they are dropped after the test.
func migrateSequenceTables(t *testing.T, d sourceflow.Dialect, dsn string) string {
	t.Helper()
	prefix := strings.ToLower(strings.ReplaceAll(uniqueName("seq", "_"), "-", "_"))
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{Dialect: d, DSN: dsn, TablePrefix: prefix, MaxOpenConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, table := range []string{"sequences", "commands", "entities", "views", "schema_version"} {
			_, err := s.DB().Exec("DROP TABLE IF EXISTS " + prefix + table)
			assert.NoError(t, err)
		}
		assert.NoError(t, s.Close())
	})
	return prefix
}

// sequenceChild is one running child process.
type sequenceChild struct {
	cmd    *exec.Cmd
	ready  io.ReadCloser  // the child writes a line when its store is open
	start  io.WriteCloser // the child starts calling when this is closed
	output bytes.Buffer
}

// runSequenceChildren starts the children, releases them together once all
// have opened their store, waits for them and returns their output files.
func runSequenceChildren(t *testing.T, d sourceflow.Dialect, prefix, dir string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	children := make([]*sequenceChild, seqProcesses)
	outs := make([]string, seqProcesses)
	for i := range children {
		outs[i] = filepath.Join(dir, fmt.Sprintf("child-%d.txt", i))
		children[i] = startSequenceChild(ctx, t, d, prefix, outs[i])
	}
	for i, c := range children {
		line, err := bufio.NewReader(c.ready).ReadString('\n')
		if err != nil || line != "ready\n" {
			_ = c.start.Close()
			_ = c.cmd.Wait()
			t.Fatalf("child %d did not get ready (%q, %v):\n%s", i, line, err, c.output.String())
		}
	}
	for _, c := range children {
		require.NoError(t, c.start.Close())
	}
	for i, c := range children {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child %d failed: %v\n%s", i, err, c.output.String())
		}
	}
	return outs
}

func startSequenceChild(ctx context.Context, t *testing.T, d sourceflow.Dialect, prefix, out string) *sequenceChild {
	t.Helper()
	c := &sequenceChild{cmd: exec.CommandContext(ctx, os.Args[0],
		"-test.run=^TestSQLStoreSequenceChildProcess$", "-test.count=1", "-test.v")}
	c.cmd.Env = append(os.Environ(), seqChildDialect+"="+string(d), seqChildPrefix+"="+prefix, seqChildOut+"="+out)
	c.cmd.Stdout, c.cmd.Stderr = &c.output, &c.output
	readyR, readyW, err := os.Pipe()
	require.NoError(t, err)
	c.ready = readyR
	c.cmd.ExtraFiles = []*os.File{readyW} // fd 3 in the child
	c.start, err = c.cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, c.cmd.Start())
	require.NoError(t, readyW.Close())
	t.Cleanup(func() { _ = readyR.Close() })
	return c
}

// TestSQLStoreSequenceChildProcess is the child side of
// TestSQLStoreSequenceAcrossProcesses; it does nothing unless run by it.
func TestSQLStoreSequenceChildProcess(t *testing.T) {
	d := sourceflow.Dialect(os.Getenv(seqChildDialect))
	if d == "" {
		t.Skip("runs only as a child process of TestSQLStoreSequenceAcrossProcesses")
	}
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	if d == sourceflow.MySQL {
		dsn = os.Getenv("SOURCEFLOW_MYSQL_DSN")
	}
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Dialect: d, DSN: dsn, TablePrefix: os.Getenv(seqChildPrefix), MaxOpenConns: seqWorkers, SkipMigrations: true,
	})
	require.NoError(t, err)
	defer s.Close()
	ready := os.NewFile(3, "ready")
	_, err = ready.WriteString("ready\n")
	require.NoError(t, err)
	require.NoError(t, ready.Close())
	_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes it to start every child together

	got := make([][]int64, seqWorkers)
	var wg sync.WaitGroup
	for w := range seqWorkers {
		wg.Go(func() {
			for range seqCalls {
				seq, err := s.Commands().NextSequence(context.Background(), seqEntity)
				if !assert.NoError(t, err) {
					return
				}
				got[w] = append(got[w], seq)
			}
		})
	}
	wg.Wait()
	writeSequences(t, os.Getenv(seqChildOut), got)
}

// writeSequences writes the numbers a child reserved, one a line.
func writeSequences(t *testing.T, file string, got [][]int64) {
	var b strings.Builder
	for _, nums := range got {
		for _, n := range nums {
			b.WriteString(strconv.FormatInt(n, 10) + "\n")
		}
	}
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o600))
}

// readSequences reads every number the children wrote.
func readSequences(t *testing.T, files []string) []int64 {
	t.Helper()
	var all []int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for line := range strings.Lines(string(data)) {
			n, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
			require.NoError(t, err, "in %s", f)
			all = append(all, n)
		}
	}
	return all
}

// assertExactlyOnce asserts that nums holds every number from 1 to total
// exactly once, reporting how many were duplicated, out of range or missing
// and the first few of each.
func assertExactlyOnce(t *testing.T, nums []int64, total int) {
	t.Helper()
	count := make(map[int64]int, len(nums))
	for _, n := range nums {
		count[n]++
	}
	var dups, outside, missing []int64
	for n, c := range count {
		if c > 1 {
			dups = append(dups, n)
		}
		if n < 1 || n > int64(total) {
			outside = append(outside, n)
		}
	}
	for n := int64(1); n <= int64(total); n++ {
		if count[n] == 0 {
			missing = append(missing, n)
		}
	}
	assert.Equal(t, total, len(nums), "numbers reserved")
	for what, list := range map[string][]int64{"handed out more than once": dups, "outside 1..total": outside, "never handed out": missing} {
		slices.Sort(list)
		assert.Zero(t, len(list), "%d numbers %s, the first: %v", len(list), what, list[:min(len(list), 20)])
	}
}
