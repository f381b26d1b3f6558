import Foundation

/// Small, dependency-free SVG charts for the HTML report: line charts (loss curves, memory
/// timelines) and grouped bar charts (ms per step). The output is a complete `<svg>` element that
/// can be inlined in a page, so the report needs no scripts and no network when viewed.
///
/// ```swift
/// let svg = SVGPlot.lineChart(
///     title: "Loss", xLabel: "step", yLabel: "loss",
///     series: [.init(name: "eager", color: SVGPlot.eagerColor, points: [(0, 2.3), (1, 2.1)])])
/// ```
public enum SVGPlot {
    /// The colour used for the eager frontend everywhere in the report.
    public static let eagerColor = "#d9480f"
    /// The colour used for the graph frontend everywhere in the report.
    public static let graphColor = "#1c7ed6"
    /// The traced column's colour (eager code run as a graph).
    public static let tracedColor = "#0b7285"
    /// Extra colours for peers (PyTorch, TensorFlow, JAX) and further series.
    public static let palette = ["#2f9e44", "#ae3ec9", "#f59f00", "#495057", "#0ca678"]

    /// One line of a line chart.
    public struct Series {
        /// The legend text.
        public var name: String
        /// A CSS colour.
        public var color: String
        /// (x, y) points in drawing order; non-finite y values break the line.
        public var points: [(x: Double, y: Double)]
        /// Whether to draw the line dashed (to tell overlapping curves apart).
        public var dashed: Bool

        /// Creates a series.
        public init(name: String, color: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name
            self.color = color
            self.points = points
            self.dashed = dashed
        }
    }

    /// A line chart with axes, ticks, grid lines and a legend.
    ///
    /// - Parameters:
    ///   - title: the heading drawn above the plot.
    ///   - xLabel: the x-axis caption.
    ///   - yLabel: the y-axis caption.
    ///   - series: the lines; overlapping lines stay visible because later ones are thinner.
    ///   - width: the SVG width in pixels.
    ///   - height: the SVG height in pixels.
    ///   - includeZero: extend the y axis to 0 (for sizes and differences, which are never negative).
    ///   - formatY: how to print y tick values (default: compact decimal).
    public static func lineChart(
        title: String, xLabel: String, yLabel: String, series: [Series],
        width: Int = 560, height: Int = 300, includeZero: Bool = false, formatY: ((Double) -> String)? = nil
    ) -> String {
        var all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        if includeZero, let first = all.first { all.append((first.x, 0)) }
        let (legendSVG, legendLines) = legend(series.map { ($0.name, $0.color) }, x: 12, y: 30, maxWidth: Double(width) - 12)
        let frame = Frame(width: width, height: height, legendLines: legendLines)
        var svg = header(width: width, height: height, title: title)
        guard let minX = all.map(\.x).min(), let maxX = all.map(\.x).max(),
            let minY = all.map(\.y).min(), let maxY = all.map(\.y).max()
        else {
            svg += text(Double(width) / 2, Double(height) / 2, "no data", anchor: "middle", cls: "muted")
            return svg + "</svg>"
        }
        let xTicks = niceTicks(minX, maxX, count: 6)
        let yTicks = niceTicks(Swift.min(minY, maxY), Swift.max(minY, maxY), count: 5)
        let xRange = (xTicks.first!, xTicks.last!)
        let yRange = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { frame.left + frame.plotWidth * fraction(x, xRange) }
        func py(_ y: Double) -> Double { frame.top + frame.plotHeight * (1 - fraction(y, yRange)) }
        let fmtY = formatY ?? { compact($0) }

        svg += axes(frame: frame, xTicks: xTicks.map { (px($0), compact($0)) },
            yTicks: yTicks.map { (py($0), fmtY($0)) }, xLabel: xLabel, yLabel: yLabel)
        for (index, s) in series.enumerated() {
            var path = ""
            var penDown = false
            for point in s.points {
                guard point.x.isFinite, point.y.isFinite else { penDown = false; continue }
                path += String(format: "%@%.1f %.1f ", penDown ? "L" : "M", px(point.x), py(point.y))
                penDown = true
            }
            let widthPx = index == 0 ? 3.0 : 1.8
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(widthPx)\""
                + " stroke-linejoin=\"round\"\(dash)/>\n"
            if s.points.count == 1, let p = s.points.first {
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>\n", px(p.x), py(p.y), s.color)
            }
        }
        svg += legendSVG
        return svg + "</svg>"
    }

    /// A grouped bar chart: one group per category, one bar per series, values printed on the bars.
    ///
    /// - Parameters:
    ///   - title: the heading.
    ///   - unit: the value axis caption (for example "ms per step").
    ///   - groups: category names along the x axis.
    ///   - series: (name, colour) of each bar within a group.
    ///   - values: `values[group][series]`; NaN leaves a gap.
    ///   - width: the SVG width in pixels.
    ///   - height: the SVG height in pixels.
    ///   - format: how a value is printed on its bar; default: compact decimal.
    public static func barChart(
        title: String, unit: String, groups: [String], series: [(name: String, color: String)],
        values: [[Double]], width: Int = 560, height: Int = 300, format: ((Double) -> String)? = nil
    ) -> String {
        let (legendSVG, legendLines) = legend(series.map { ($0.name, $0.color) }, x: 12, y: 30, maxWidth: Double(width) - 12)
        let frame = Frame(width: width, height: height, legendLines: legendLines)
        var svg = header(width: width, height: height, title: title)
        let finite = values.flatMap { $0 }.filter { $0.isFinite }
        let top = Swift.max(finite.max() ?? 1, 1e-12)
        let ticks = niceTicks(0, top, count: 5)
        let yRange = (0.0, ticks.last!)
        func py(_ y: Double) -> Double { frame.top + frame.plotHeight * (1 - fraction(y, yRange)) }
        let fmt = format ?? { compact($0) }
        svg += axes(frame: frame, xTicks: [], yTicks: ticks.map { (py($0), compact($0)) }, xLabel: "", yLabel: unit)

        let groupWidth = frame.plotWidth / Double(Swift.max(groups.count, 1))
        let barWidth = Swift.min(48, groupWidth * 0.8 / Double(Swift.max(series.count, 1)))
        for (g, name) in groups.enumerated() {
            let center = frame.left + groupWidth * (Double(g) + 0.5)
            let start = center - barWidth * Double(series.count) / 2
            for (s, style) in series.enumerated() {
                let value = g < values.count && s < values[g].count ? values[g][s] : .nan
                guard value.isFinite else { continue }
                let x = start + barWidth * Double(s)
                let y = py(value)
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" rx=\"2\">",
                    x + 1, y, barWidth - 2, frame.top + frame.plotHeight - y, style.color)
                svg += "<title>\(escape(style.name)): \(escape(fmt(value)))</title></rect>\n"
                svg += text(x + barWidth / 2, y - 4, fmt(value), anchor: "middle", cls: "value")
            }
            svg += text(center, frame.top + frame.plotHeight + 18, name, anchor: "middle", cls: "tick")
        }
        svg += legendSVG
        return svg + "</svg>"
    }

    // MARK: Pieces

    struct Frame {
        let left = 72.0, right = 16.0, bottom = 44.0
        let top: Double
        let width: Double, height: Double
        /// `legendLines` extra rows of legend push the plot down.
        init(width: Int, height: Int, legendLines: Int = 1) {
            self.width = Double(width)
            self.height = Double(height)
            self.top = 52 + 16 * Double(max(legendLines, 1) - 1)
        }
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    static func header(width: Int, height: Int, title: String) -> String {
        "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\""
            + " viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
            + text(12, 22, title, anchor: "start", cls: "title")
    }

    static func axes(
        frame: Frame, xTicks: [(Double, String)], yTicks: [(Double, String)], xLabel: String, yLabel: String
    ) -> String {
        var svg = ""
        let bottom = frame.top + frame.plotHeight
        for (y, label) in yTicks {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n",
                frame.left, y, frame.left + frame.plotWidth, y)
            svg += text(frame.left - 6, y + 4, label, anchor: "end", cls: "tick")
        }
        for (x, label) in xTicks {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n",
                x, frame.top, x, bottom)
            svg += text(x, bottom + 16, label, anchor: "middle", cls: "tick")
        }
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
            frame.left, bottom, frame.left + frame.plotWidth, bottom)
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
            frame.left, frame.top, frame.left, bottom)
        if !xLabel.isEmpty {
            svg += text(frame.left + frame.plotWidth / 2, frame.height - 6, xLabel, anchor: "middle", cls: "label")
        }
        if !yLabel.isEmpty {
            svg += String(format: "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\" class=\"label\">",
                frame.top + frame.plotHeight / 2) + escape(yLabel) + "</text>\n"
        }
        return svg
    }

    /// Legend entries left to right, wrapping onto a new row when `maxWidth` is reached.
    static func legend(_ entries: [(String, String)], x: Double, y: Double, maxWidth: Double) -> (svg: String, lines: Int) {
        var svg = ""
        var cursor = x, row = y, lines = entries.isEmpty ? 0 : 1
        for (name, color) in entries {
            let width = 28 + Double(name.count) * 6.5
            if cursor > x && cursor + width > maxWidth {
                cursor = x
                row += 16
                lines += 1
            }
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%@\"/>", cursor, row, color)
            svg += text(cursor + 16, row + 10, name, anchor: "start", cls: "legend")
            cursor += width
        }
        return (svg, lines)
    }

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String, cls: String) -> String {
        String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%@\" class=\"%@\">", x, y, anchor, cls)
            + escape(content) + "</text>\n"
    }

    static func fraction(_ value: Double, _ range: (Double, Double)) -> Double {
        range.1 > range.0 ? (value - range.0) / (range.1 - range.0) : 0.5
    }

    /// Round tick values covering [low, high] (Heckbert's "nice numbers").
    static func niceTicks(_ low: Double, _ high: Double, count: Int) -> [Double] {
        var low = low, high = high
        if high - low < 1e-12 {
            // A flat series: pad around it, but never below zero for a series that is all
            // non-negative (a loss difference of exactly 0 should not get a negative axis).
            let pad = Swift.max(abs(low) * 0.1, 1e-6)
            low = low >= 0 ? Swift.max(0, low - pad) : low - pad
            high += pad
        }
        func nice(_ x: Double, round: Bool) -> Double {
            let exponent = Foundation.floor(Foundation.log10(x))
            let f = x / Foundation.pow(10, exponent)
            let n: Double
            if round { n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10 } else { n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10 }
            return n * Foundation.pow(10, exponent)
        }
        let step = nice(nice(high - low, round: false) / Double(Swift.max(count - 1, 1)), round: true)
        let first = Foundation.floor(low / step) * step
        let last = Foundation.ceil(high / step) * step
        var ticks: [Double] = []
        var value = first
        while value <= last + step * 0.5 && ticks.count < 50 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    /// A short number: 1.2k, 3.5M, 0.012.
    public static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9 { return trimmed(value / 1e9) + "G" }
        if magnitude >= 1e6 { return trimmed(value / 1e6) + "M" }
        if magnitude >= 1e4 { return trimmed(value / 1e3) + "k" }
        if magnitude == 0 { return "0" }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 1 { return trimmed(value) }
        return String(format: "%.3g", value)
    }

    static func trimmed(_ value: Double) -> String {
        var s = String(format: "%.2f", value)
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s
    }

    /// Escapes text for XML and HTML.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
