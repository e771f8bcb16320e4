//! The benchmark figures and how they are shown: a Markdown table, an SVG bar chart of the
//! ratios (log scale, target marked), and the machine they were measured on.

use std::fmt::Write as _;
use std::path::Path;

/// What a figure should reach.
pub enum Target {
    None,
    /// ours / theirs at most this.
    Ratio(f64),
    /// ours / the floor program's at most this: the limit our design (the floor's crates) sets.
    OfFloor(f64),
    /// ours below this absolute value.
    Below(f64),
}

pub struct Figure {
    pub group: &'static str,
    pub name: String,
    pub unit: &'static str,
    pub ours: f64,
    pub theirs: Option<f64>,
    /// The same figure for the floor program (the least a client making these calls needs).
    pub floor: Option<f64>,
    pub target: Target,
}

impl Figure {
    pub fn new(
        group: &'static str,
        name: &str,
        unit: &'static str,
        ours: f64,
        theirs: Option<f64>,
        target: Target,
    ) -> Figure {
        let figure = Figure { group, name: name.to_owned(), unit, ours, theirs, floor: None, target };
        println!("{}", figure.line());
        figure
    }

    /// The same figure with the floor program's value beside it.
    pub fn with_floor(mut self, floor: f64) -> Figure {
        self.floor = Some(floor);
        let ratio = self.floor_ratio().map_or(String::new(), |r| format!(", {}× the official", ratio_text(r)));
        let ours = self.of_floor().map_or(String::new(), |r| format!("; ours / floor {}×", ratio_text(r)));
        println!("    floor: {}{ratio}{ours} {}", number(floor, self.unit), self.target_text());
        self
    }

    /// The floor's value over the official SDK's: how far below the official SDK a client can go.
    pub fn floor_ratio(&self) -> Option<f64> {
        let (floor, theirs) = (self.floor?, self.theirs?);
        (theirs > 0.0).then(|| floor / theirs)
    }

    /// Ours over the floor's.
    pub fn of_floor(&self) -> Option<f64> {
        self.floor.filter(|f| *f > 0.0).map(|floor| self.ours / floor)
    }

    /// Throughput (calls per second) is the one kind of figure where more is better.
    pub fn higher_is_better(&self) -> bool {
        self.unit == "/s"
    }

    pub fn ratio(&self) -> Option<f64> {
        self.theirs.filter(|t| *t > 0.0).map(|theirs| self.ours / theirs)
    }

    /// Whether the target is met (`None` when the figure has none).
    pub fn met(&self) -> Option<bool> {
        match self.target {
            Target::None => None,
            Target::Ratio(most) => self.ratio().map(|r| r <= most),
            Target::OfFloor(most) => self.of_floor().map(|r| r <= most),
            Target::Below(limit) => Some(self.ours < limit),
        }
    }

    fn target_text(&self) -> String {
        let verdict = match self.met() {
            Some(true) => " met",
            Some(false) => " **missed**",
            None => "",
        };
        match self.target {
            Target::None => String::new(),
            Target::Ratio(most) => format!("≤ {most}×{verdict}"),
            Target::OfFloor(most) => format!("≤ {most}× the floor{verdict}"),
            Target::Below(limit) => format!("< {limit} {}{verdict}", self.unit),
        }
    }

    /// `name: ours X, theirs Y, ratio Z×` for the console.
    fn line(&self) -> String {
        let theirs = self.theirs.map_or(String::new(), |t| format!(", theirs {}", number(t, self.unit)));
        let ratio = self.ratio().map_or(String::new(), |r| format!(", ratio {}×", ratio_text(r)));
        format!("  {}: ours {}{theirs}{ratio} {}", self.name, number(self.ours, self.unit), self.target_text())
    }
}

fn number(value: f64, unit: &str) -> String {
    let digits = if value.abs() >= 100.0 || value.fract() == 0.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    let text = group_thousands(&text);
    if unit.is_empty() { text } else { format!("{text} {unit}") }
}

fn group_thousands(text: &str) -> String {
    let (int, frac) = text.split_once('.').map_or((text, None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}"),
        None => format!("{sign}{grouped}"),
    }
}

fn ratio_text(ratio: f64) -> String {
    if ratio >= 0.1 { format!("{ratio:.2}") } else { format!("{ratio:.3}") }
}

/// The figures as a Markdown table, grouped as measured.
pub fn markdown(figures: &[Figure]) -> String {
    let mut table = String::from(
        "| part | figure | ours | official SDK / AWS CLI | ratio | floor | floor / official | ours / floor | target |\n\
         |---|---|--:|--:|--:|--:|--:|--:|---|\n",
    );
    for f in figures {
        let theirs = f.theirs.map_or("—".to_owned(), |t| number(t, f.unit));
        let ratio = f.ratio().map_or("—".to_owned(), |r| format!("{}×", ratio_text(r)));
        let floor = f.floor.map_or("—".to_owned(), |v| number(v, f.unit));
        let floor_ratio = f.floor_ratio().map_or("—".to_owned(), |r| format!("{}×", ratio_text(r)));
        let of_floor = f.of_floor().map_or("—".to_owned(), |r| format!("{}×", ratio_text(r)));
        let _ = writeln!(
            table,
            "| {} | {} | {} | {theirs} | {ratio} | {floor} | {floor_ratio} | {of_floor} | {} |",
            f.group,
            f.name,
            number(f.ours, f.unit),
            f.target_text()
        );
    }
    table
}

/// A horizontal bar per compared figure where less is better: its ratio on a log scale from
/// 0.001× to 10×, with the 1× line and the target marked.
pub fn svg(figures: &[Figure]) -> String {
    let compared: Vec<&Figure> = figures.iter().filter(|f| f.ratio().is_some() && !f.higher_is_better()).collect();
    let (label_width, plot_width, row, top) = (430.0, 440.0, 26.0, 40.0);
    let height = top + row * compared.len() as f64 + 40.0;
    let width = label_width + plot_width + 90.0;
    // log10(ratio) from -3 to 1 maps onto the plot.
    let x = |ratio: f64| label_width + (ratio.clamp(1e-3, 10.0).log10() + 3.0) / 4.0 * plot_width;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">ours / official (log scale; shorter is better; | = target)</text>\n"
    );
    for (tick, label) in [(0.001, "0.001×"), (0.01, "0.01×"), (0.1, "0.1×"), (1.0, "1×"), (10.0, "10×")] {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{top}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"{2}\"/>\
             <text x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{label}</text>",
            x(tick),
            height - 30.0,
            if tick == 1.0 { "#444" } else { "#ddd" },
            height - 14.0
        );
    }
    for (i, f) in compared.iter().enumerate() {
        let y = top + row * i as f64;
        let ratio = f.ratio().unwrap_or(1.0);
        let colour = match f.met() {
            Some(false) => "#d9534f",
            _ => "#4a90d9",
        };
        let name = f.name.replace('&', "&amp;").replace('<', "&lt;").replace('`', "");
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{name}</text>\
             <rect x=\"{label_width}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}×</text>",
            label_width - 8.0,
            y + 16.0,
            y + 4.0,
            (x(ratio) - label_width).max(1.0),
            row - 8.0,
            x(ratio) + 4.0,
            y + 16.0,
            ratio_text(ratio)
        );
        if let Target::Ratio(most) = f.target {
            let _ = writeln!(
                svg,
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"black\" stroke-width=\"2\"/>",
                x(most),
                y + 1.0,
                y + row - 1.0
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// CPU model, core count, memory, rustc version, date and load: where the figures came from.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let rustc = command_output("rustc", &["--version"]);
    let date = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("{model}, {cores} cores, {memory_gib:.0} GiB, {rustc}, {date}, load average at start {}", load.join(" "))
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

const BEGIN: &str = "<!-- bench results: begin (written by cargo xtask bench) -->";
const END: &str = "<!-- bench results: end -->";

/// Replaces the results section of BENCHMARKS.md with the latest run.
pub fn update_benchmarks_md(path: &Path, results: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!("{} has no results markers ({BEGIN} ... {END})", path.display()));
    };
    let updated = format!("{}{BEGIN}\n{results}\n{}", &text[..start], &text[end..]);
    std::fs::write(path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
