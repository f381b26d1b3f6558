/// Charts as files of their own (the tutorials write their loss curves next to their output).
extension SVGPlot {
    /// A chart from ``lineChart(title:xLabel:yLabel:series:width:height:includeZero:formatY:)`` or
    /// ``barChart(title:unit:groups:series:values:width:height:format:)`` as a standalone SVG file:
    /// the XML namespace and the chart's styles, which the HTML report otherwise supplies.
    ///
    /// - Parameter chart: the `<svg>` element.
    /// - Returns: the file's text.
    public static func standalone(_ chart: String) -> String {
        guard let close = chart.firstIndex(of: ">") else { return chart }
        let open = chart[...close].replacingOccurrences(of: "<svg ", with: "<svg xmlns=\"http://www.w3.org/2000/svg\" ")
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open + "\n<style>\(standaloneStyle)</style>"
            + chart[chart.index(after: close)...]
    }

    static let standaloneStyle = "text{font-family:sans-serif}.title{font-size:14px;font-weight:600;fill:#212529}"
        + ".tick{font-size:11px;fill:#495057}.label{font-size:12px;fill:#495057}.legend{font-size:12px;fill:#212529}"
        + ".value{font-size:11px;fill:#212529}line.grid{stroke:#e9ecef}line.axis{stroke:#868e96}"
}
