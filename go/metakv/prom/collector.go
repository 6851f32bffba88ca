// Package prom exports a metakv store's figures to Prometheus: a
// prometheus.Collector over (*metakv.Store).PrometheusMetrics, for
// services that already register collectors with client_golang (Debian's
// golang-github-prometheus-client-golang-dev).
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(prom.NewCollector(store))
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The metrics and their labels are those of metakv's text exposition
// (docs/operations.md): the library renders them once, and the collector
// turns each sample into a const metric, so the Go side names nothing
// twice.
package prom

import (
	"bytes"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"metakv"
)

// Collector collects a Store's metrics on every scrape (one GetStats).
type Collector struct {
	store *metakv.Store
}

// NewCollector returns a collector of s's metrics. It stays valid after s
// is closed: a scrape then reports the error (ErrClosed) to the registry.
func NewCollector(s *metakv.Store) *Collector { return &Collector{store: s} }

// errorDesc names the failure of a scrape.
var errorDesc = prometheus.NewDesc("metakv_collector_error", "The metakv store's figures could not be read.", nil, nil)

// Describe sends nothing: the label values (domains, levels, tenants)
// depend on the store, so this is an unchecked collector, as the
// Prometheus library allows.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends every sample of the store's metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	text, err := c.store.PrometheusMetrics()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(errorDesc, err)
		return
	}
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(errorDesc, fmt.Errorf("metakv metrics do not parse: %w", err))
		return
	}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			metric, err := constMetric(name, f, m)
			if err != nil {
				metric = prometheus.NewInvalidMetric(errorDesc, err)
			}
			ch <- metric
		}
	}
}

// constMetric is one parsed sample as a const metric.
func constMetric(name string, f *dto.MetricFamily, m *dto.Metric) (prometheus.Metric, error) {
	names := make([]string, 0, len(m.GetLabel()))
	values := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		names = append(names, l.GetName())
		values = append(values, l.GetValue())
	}
	desc := prometheus.NewDesc(name, f.GetHelp(), names, nil)
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		return prometheus.NewConstMetric(desc, prometheus.CounterValue, m.GetCounter().GetValue(), values...)
	case dto.MetricType_GAUGE:
		return prometheus.NewConstMetric(desc, prometheus.GaugeValue, m.GetGauge().GetValue(), values...)
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		buckets := make(map[float64]uint64, len(h.GetBucket()))
		for _, b := range h.GetBucket() {
			buckets[b.GetUpperBound()] = b.GetCumulativeCount()
		}
		return prometheus.NewConstHistogram(desc, h.GetSampleCount(), h.GetSampleSum(), buckets, values...)
	default:
		return nil, fmt.Errorf("metakv metric %s has type %v", name, f.GetType())
	}
}
