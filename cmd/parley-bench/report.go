package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the report: an operation on a store. Its JSON form
// has exactly the keys of the -json output; the baseline's figures are
// null when the operation has none.
type row struct {
	Store             string   `json:"store"`
	Op                string   `json:"op"`
	OpsPerSec         float64  `json:"ops_per_sec"`
	P50us             float64  `json:"p50_us"`
	P99us             float64  `json:"p99_us"`
	AllocsPerOp       float64  `json:"allocs_per_op"`
	BaselineOpsPerSec *float64 `json:"baseline_ops_per_sec"`
	Ratio             *float64 `json:"ratio"`
	// Callers is how many goroutines called the operation at once (1 but
	// for the concurrent rows).
	Callers int `json:"callers"`

	// For the text table only: round trips per call of parley and of the
	// baseline, where counted (PostgreSQL), 0 when not; CPU time per call
	// of parley and of the baseline.
	trips, baseTrips float64
	cpuUs, baseCPUUs float64
	note             string
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func micros(d time.Duration) float64 { return round(float64(d)/float64(time.Microsecond), 1) }

// rowOf turns a measurement into a row. The ratio is parley's time per
// call over the baseline's: baseline ops/s over parley ops/s.
func rowOf(store, op string, m measurement) row {
	p := &m.parley
	r := row{
		Store:       store,
		Op:          op,
		Callers:     1,
		OpsPerSec:   round(p.opsPerSec(), 1),
		P50us:       micros(p.percentile(50)),
		P99us:       micros(p.percentile(99)),
		AllocsPerOp: round(float64(p.mallocs)/float64(max(1, p.ops)), 1),
	}
	if p.trips > 0 {
		r.trips = float64(p.trips) / float64(p.ops)
	}
	r.cpuUs = micros(p.cpuPerOp())
	if m.hasBaseline {
		b := &m.baseline
		base := round(b.opsPerSec(), 1)
		ratio := round(b.opsPerSec()/p.opsPerSec(), 2)
		r.BaselineOpsPerSec, r.Ratio = &base, &ratio
		if b.trips > 0 {
			r.baseTrips = float64(b.trips) / float64(b.ops)
		}
		r.baseCPUUs = micros(b.cpuPerOp())
	}
	return r
}

// printer writes the report: a table per group of rows, or JSON lines.
type printer struct {
	w    io.Writer
	json bool
}

// table prints rows under a title (no title in JSON mode: the rows say
// their store).
func (p *printer) table(title string, rows []row) {
	if p.json {
		enc := json.NewEncoder(p.w)
		for _, r := range rows {
			_ = enc.Encode(r)
		}
		return
	}
	fmt.Fprintf(p.w, "\n%s\n", title)
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tcallers\tops/s\tp50 µs\tp99 µs\tallocs/op\tbaseline ops/s\tratio\tcpu µs/op\tround trips\t")
	for _, r := range rows {
		base, ratio, trips := "-", "-", ""
		cpu := fmt.Sprintf("%.1f", r.cpuUs)
		if r.BaselineOpsPerSec != nil {
			base = opsText(*r.BaselineOpsPerSec)
			ratio = fmt.Sprintf("%.2f", *r.Ratio)
			cpu += fmt.Sprintf(" / %.1f", r.baseCPUUs)
		}
		if r.trips > 0 {
			trips = fmt.Sprintf("%.1f", r.trips)
			if r.baseTrips > 0 {
				trips += fmt.Sprintf(" / %.1f", r.baseTrips)
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t\n",
			r.Op, r.Callers, opsText(r.OpsPerSec), r.P50us, r.P99us, r.AllocsPerOp, base, ratio, cpu, trips)
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.note != "" {
			fmt.Fprintf(p.w, "  %s: %s\n", r.Op, r.note)
		}
	}
}

func opsText(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// text prints free text (plans, notes); in JSON mode it goes to log, so
// that the output stays JSON lines.
func (p *printer) text(log io.Writer, s string) {
	w := p.w
	if p.json {
		w = log
	}
	fmt.Fprintln(w, strings.TrimRight(s, "\n"))
}
