//! The command line. Every command and flag is described in Chinese and English.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "yibao",
    version,
    about = "yibao 医保经办服务平台 — medical-security agency service platform",
    long_about = "yibao 医保经办服务平台：参保登记、缴费、转移接续、异地就医备案、待遇认定、结算与报销……\n\
                  yibao: the platform a medical-security agency runs to deliver its public services.\n\n\
                  配置 / configuration: yibao.toml, YIBAO_DATABASE_URL, YIBAO_BIND, YIBAO_DATA_DIR, YIBAO_LOG_FORMAT, YIBAO_LOG"
)]
pub struct Cli {
    /// 配置文件（默认 ./yibao.toml，如存在） / configuration file (default ./yibao.toml if present)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 启动服务并打印访问地址 / start the server and print the address to open
    Serve {
        /// 首次启动时装入演示数据 / load demo data on first start
        #[arg(long)]
        demo: bool,
        /// 监听地址（覆盖 YIBAO_BIND） / address to listen on (overrides YIBAO_BIND)
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// 数据库地址（覆盖 YIBAO_DATABASE_URL） / database URL (overrides YIBAO_DATABASE_URL)
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 升级数据库结构 / apply pending database migrations
    Migrate {
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 装入演示数据并打印演示账户 / load demo data and print the demo accounts
    Demo {
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// 只装入这些区划内的经办机构及其工作人员（逗号分隔，如 500000），用于各省一个实例的联网演示
        /// / only the agencies (and their staff) inside these regions, e.g. 500000: one
        /// province's installation for the federation demo
        #[arg(long, value_name = "CODES")]
        agencies_in: Option<String>,
    },
    /// 事项清单：列出、显示、搜索、校验 / the service catalog: list, show, search, validate
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// 工作日日历：期限计算、年度安排、导入 / working-day calendar: deadlines, schedules, imports
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// 缴费：月度核定应缴并划入个人账户 / contributions: the month's dues and account credits
    Contributions {
        #[command(subcommand)]
        command: ContributionsCommand,
    },
    /// 个人账户：年度结转 / personal accounts: the year-end carry-over
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// 经办机构：新建（新装系统时） / agencies: add (setting up an installation)
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// 工作人员：新建（如首个管理员） / staff: add (e.g. the first admin)
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// 待遇计算：按政策参数拆分费用并逐项说明 / benefits: split a bill and explain every step
    Benefit {
        #[command(subcommand)]
        command: BenefitCommand,
    },
    /// 性能基准 / benchmarks
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// 结算台账按月分区（仅 PostgreSQL）：列出、预建、分离旧月份 / the settlement ledger's
    /// monthly partitions (PostgreSQL only): list, create ahead, detach an old month
    Partition {
        #[command(subcommand)]
        command: PartitionCommand,
    },
    /// 本机签名公钥与联网身份（区划） / this installation's public key and region
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// 对端实例：添加、列出、移除、连通检查（记入审计） / peer instances: add, list, remove, ping (audited)
    Peer {
        #[command(subcommand)]
        command: PeerCommand,
    },
    /// 转移接续（跨实例）：参保凭证、受理、联系函、信息表、办结、待办期限 / transfers between
    /// regions across instances (docs/federation.md)
    Transfer {
        #[command(subcommand)]
        command: TransferCommand,
    },
    /// 跨省异地就医费用清算：出具月度清算单、列出、查看 / cross-province settlement clearing:
    /// issue a month's statements, list, show (docs/clearing.md)
    Clearing {
        #[command(subcommand)]
        command: ClearingCommand,
    },
    /// 社会保障卡登记：导入卡号清单 / the social security card register: import a card list
    Card {
        #[command(subcommand)]
        command: CardCommand,
    },
    /// 备份整个数据库到新目录（含逐表校验值） / back up the whole database to a new folder
    Backup {
        /// 备份目录（须不存在或为空） / the backup folder (must not exist or be empty)
        #[arg(long, value_name = "DIR")]
        to: std::path::PathBuf,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 从备份恢复到空数据库并逐表核对 / restore a backup into an empty database and compare every table
    Restore {
        /// 备份目录 / the backup folder
        #[arg(long, value_name = "DIR")]
        from: std::path::PathBuf,
        /// 目标数据库地址（须为空库） / the target database URL (must be empty)
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 审计链：校验 / the audit chain: verify
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 校验号码（有效退出码 0，无效 1） / check an identifier (exit 0 valid, 1 invalid)
    Check {
        /// 号码类型 / identifier kind
        kind: CheckKind,
        /// 号码 / the identifier
        value: String,
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// 列出事项 / list the items
    List {
        /// 辖区（chuanyu、sichuan、youyang、chongqing、nanchuan） / jurisdiction
        #[arg(long, short)]
        jurisdiction: Option<String>,
        /// 类别（如 enrolment、filing） / category (business domain)
        #[arg(long, short)]
        category: Option<String>,
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
    /// 显示一个事项的全部内容 / show every field of one item
    Show {
        /// 辖区 / jurisdiction
        jurisdiction: String,
        /// 事项序号或事项编码 / item id or item code
        code: String,
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
    /// 按中文关键词搜索事项 / search the items by (Chinese) text
    Search {
        /// 关键词（多个词以空格分隔，须全部出现） / terms, all must occur
        text: String,
        /// 辖区 / jurisdiction
        #[arg(long, short)]
        jurisdiction: Option<String>,
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
    /// 一个辖区指南的已实现事项规则（Markdown，即 docs/guides/） / the built items' rules of one guide
    Rules {
        /// 辖区（chuanyu、sichuan、youyang、chongqing、nanchuan） / jurisdiction
        jurisdiction: String,
    },
    /// 校验事项清单数据（指出文件和行号） / validate the catalog data, naming file and line
    Validate {
        /// 数据目录（默认校验内置数据） / a data folder to validate (default: the embedded data)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContributionsCommand {
    /// 核定一个月的应缴并划入个人账户（同一月份重复执行不重复写入；记入审计） / assess a month
    /// (idempotent, audited)
    Run {
        #[arg(long)]
        year: i32,
        /// 1–12
        #[arg(long)]
        month: u32,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 核定一个年度的城乡居民个人缴费（重复执行不重复写入；记入审计） / assess residents'
    /// yearly contributions (idempotent, audited)
    ResidentYear {
        #[arg(long)]
        year: i32,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// 将一个已结束年度的个人账户余额结转至下一年度（记入审计；重复执行只结转新增余额） /
    /// carry a finished year's account balances into the next (audited)
    CarryOver {
        #[arg(long)]
        year: i32,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// 计算办结期限：受理日为第0日，自次一工作日起算，第N个工作日为期限 / the deadline of N working days
    Deadline {
        /// 受理日期 YYYY-MM-DD / date of acceptance
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        /// 工作日数 / number of working days
        #[arg(long, value_name = "N")]
        working_days: u32,
        /// 数据库地址（含管理员导入的年度安排） / database URL (with imported years)
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 显示某年的放假和调休上班安排 / show a year's days off and make-up working days
    Show {
        /// 年份 / year
        year: i32,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 两个日期之间的工作日数（不含起始日，含结束日） / working days in (A, B]
    Between {
        /// 起始日期 / from (not counted)
        a: String,
        /// 结束日期 / to (counted)
        b: String,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 导入或更正一个年度的节假日安排（记录变更） / import or correct one year's schedule (logged)
    Import {
        /// 年度安排文件（data/calendar 的格式） / schedule file in the data/calendar format
        file: PathBuf,
        /// 操作人 / who makes the change
        #[arg(long, default_value = "operator")]
        actor: String,
        /// 变更说明 / note on the change
        #[arg(long, default_value = "")]
        note: String,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckKind {
    /// 公民身份号码 (GB 11643) / citizen identity number
    Id,
    /// 统一社会信用代码 (GB 32100) / unified social credit code
    Uscc,
    /// 行政区划代码 (GB/T 2260) / region code
    Region,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// 打印本机公钥与区划（交给对端用于 yibao peer add） / print the public key and region
    /// (what a peer needs for `yibao peer add`)
    Show {
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 设置本机联网身份：服务的行政区划代码与名称（记入审计） / set the region this installation
    /// serves and its name (audited)
    SetRegion {
        /// 行政区划代码，如 500000 / region code
        #[arg(long)]
        region: String,
        /// 名称，如 重庆市医疗保障事务中心 / name
        #[arg(long)]
        name: String,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// 添加对端 / add a peer
    Add {
        /// 对端名称 / name
        #[arg(long)]
        name: String,
        /// 对端服务的行政区划代码，逗号分隔 / region codes it serves, comma separated
        #[arg(long)]
        regions: String,
        /// 对端地址，如 https://yibao.sc.example 或专网内的 http://10.0.0.2:8080 / base URL
        #[arg(long)]
        url: String,
        /// 对端公钥（对端 yibao key show 所示） / its public key (from its `yibao key show`)
        #[arg(long)]
        public_key: String,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 列出对端及待投递消息数 / list peers and their undelivered messages
    List {
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 移除对端（保留记录） / remove a peer (its record is kept)
    Remove {
        /// 对端编号（yibao peer list 所示） / peer id
        id: i64,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 向服务某区划的对端发出连通检查（由运行中的服务投递） / queue a connectivity check to the
    /// peer serving a region (the running server delivers it)
    Ping {
        /// 对端区划代码 / the peer's region code
        region: String,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClearingCommand {
    /// 就医地：出具某月已结束的跨省清算单（每对省份一张；已出具的不重复）/ care side: issue an
    /// ended month's statements, one per pair of provinces (pairs already stated are left)
    Issue {
        /// 清算月份 YYYY-MM / the month
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
    /// 列出本机作为就医地或参保地的清算单 / list the statements held here, either side
    List {
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 查看一张清算单及其明细 / one statement with its lines
    Show {
        /// 清算单编号 / statement id
        id: i64,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TransferCommand {
    /// 转出地：出具参保凭证（打印核验码） / leaving side: issue the 参保凭证 (prints its code)
    Certificate {
        /// 公民身份号码 / ID number
        id_number: String,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 转入地：受理转移接续申请（打印转移编号） / joining side: accept an application
    Apply {
        #[arg(long)]
        id_number: String,
        #[arg(long)]
        name: String,
        /// 转出地区划代码 / the leaving side's region
        #[arg(long)]
        from_region: String,
        /// 参保凭证核验码 / the certificate's verification code
        #[arg(long)]
        certificate_code: String,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 转入地：发出联系函 / joining side: send the 联系函
    SendLetter {
        reference: String,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 转出地：发出信息表并划转个人账户余额 / leaving side: send the 信息表 and the balance
    SendSheet {
        reference: String,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 转入地：办结 / joining side: complete
    Complete {
        reference: String,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 本机的转移接续及其状态 / this installation's transfers and their status
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 本机待办步骤与期限（超期标出） / steps this installation owes, with due dates (overdue marked)
    Owed {
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 逐条校验审计链，报告第一条被改动或缺失的记录（完整退出码 0，否则 1）
    /// / verify the chain; report the first altered or missing entry (exit 0 intact, 1 not)
    Verify {
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// 输出 JSON / print JSON
        #[arg(long)]
        json: bool,
        /// 之前保存在库外的检查点（序号:哈希），用于发现连同链头一起被删除的末尾记录
        /// / a checkpoint kept outside the database (SEQ:HASH, as printed by an earlier verify):
        /// catches a tail deleted together with the head row
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
    },
    /// 立即封存结算审计链的链头（服务运行时每 10 秒自动封存）
    /// / seal the settlement chains' heads into the main chain now (serve does it every 10 s)
    Seal {
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// 导入社会保障卡清单（CSV：卡号,身份证号,卡识别码,状态），逐行校验，有错则不导入
    /// / import a card list (CSV: card_no,id_number,card_sn,status); nothing is imported when a line is wrong
    Import {
        /// CSV 文件 / the CSV file
        #[arg(long, value_name = "FILE")]
        file: std::path::PathBuf,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// 新建经办机构 / add an agency
    Add {
        /// 机构代码 / agency code
        #[arg(long)]
        code: String,
        /// 机构名称 / name
        #[arg(long)]
        name: String,
        /// 层级 province|city|district / level
        #[arg(long)]
        level: String,
        /// 服务区划代码（默认同机构代码） / region served (defaults to the code)
        #[arg(long)]
        region: Option<String>,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        hours: String,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// 新建工作人员；密码取自 YIBAO_STAFF_PASSWORD 或 --password-file，首次登录须修改
    /// / add a staff member; the password comes from YIBAO_STAFF_PASSWORD or --password-file
    Add {
        /// 所属经办机构代码 / agency code
        #[arg(long)]
        agency: String,
        /// 用户名 / username
        #[arg(long)]
        username: String,
        /// 姓名 / display name
        #[arg(long)]
        name: String,
        /// 岗位，逗号分隔 clerk,reviewer,finance,supervisor,admin,auditor / roles
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        /// 含初始密码的文件 / file holding the initial password
        #[arg(long, value_name = "FILE")]
        password_file: Option<std::path::PathBuf>,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenefitCommand {
    /// 读取结算请求（JSON），输出费用拆分及说明（JSON），无需数据库；格式见 docs/benefits.md
    /// / read a settlement request (JSON) and print the split with its explanation (JSON)
    Explain {
        /// 请求文件，- 表示标准输入 / request file, - for stdin
        #[arg(long, value_name = "FILE.json")]
        request: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// 一个月的缴费核定与个人账户划入（写入测试人群，请使用专用数据库），与同库的批量写入基线对照
    /// / one month's dues and account credits for a test population (use a scratch database),
    /// beside a set-based insert of as many rows measured in the same run
    Contributions {
        /// 测试人群规模 / insured persons in the test population
        #[arg(long, default_value_t = 100000)]
        persons: u32,
        /// 核定的月份（2026 年） / month of 2026 to assess
        #[arg(long, default_value_t = 1)]
        month: u32,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 一个月的定点医药机构月结算：生成结算记录、各机构申报并对账、生成结算单，与同库的 GROUP BY 基线对照（仅 PostgreSQL，请使用专用数据库）
    /// / a month of settlements for many institutions: declared and reconciled by each, then
    /// the agency's statement run, beside a plain GROUP BY over the same rows (PostgreSQL only;
    /// use a scratch database)
    Month {
        /// 结算记录数 / settlements in the month
        #[arg(long, default_value_t = 1_000_000)]
        settlements: u64,
        /// 机构数 / institutions
        #[arg(long, default_value_t = 2000)]
        institutions: u32,
        /// 并发申报数 / declarations in flight at once
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// 沿用上次生成的同规模结算记录（只重做申报、对账与结算单） / keep an earlier run's
        /// settlements of the same size (declare, reconcile and issue afresh)
        #[arg(long)]
        reuse: bool,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 生成大城市规模的测试数据：参保人员及其参保记录、多年的结算记录（按月分区，仅 PostgreSQL，请使用专用数据库）
    /// / a large city's generated population with its coverage records and years of
    /// settlements, one partition per month (PostgreSQL only; use a scratch database)
    Populate {
        /// 参保人数 / insured persons
        #[arg(long, default_value_t = 10_000_000)]
        persons: u64,
        /// 每日结算笔数 / settlements per day
        #[arg(long, default_value_t = 10_000)]
        per_day: u64,
        /// 年数（至昨日） / years of settlements (up to yesterday)
        #[arg(long, default_value_t = 5)]
        years: u32,
        /// 定点医药机构数 / institutions
        #[arg(long, default_value_t = 3000)]
        institutions: u32,
        /// 参保单位数 / employers
        #[arg(long, default_value_t = 100_000)]
        employers: u64,
        /// 每笔结算存储的说明长度（字节，0 即 {}） / bytes of generated explanation stored per
        /// settlement (0 stores {})
        #[arg(long, default_value_t = 0)]
        explanation_bytes: u32,
        /// 数据库超过此大小（GB）后不再增加月份 / stop adding months once the database is
        /// larger than this (GB)
        #[arg(long, default_value_t = 40.0)]
        max_gb: f64,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 在 bench populate 生成的数据上测量查询时延（p50/p99），与同库的纯 SQL 基线对照（仅 PostgreSQL）
    /// / read latencies (p50/p99) on a database filled by bench populate, each beside a plain
    /// SQL baseline on the same database (PostgreSQL only)
    Volume {
        /// 每项采样次数 / samples per read
        #[arg(long, default_value_t = 2000)]
        samples: usize,
        /// 测累计值读取时的并发结算客户端数 / settlement clients running while the accumulator
        /// read is measured
        #[arg(long, default_value_t = 4)]
        load_clients: usize,
        /// 结算负载持续秒数 / seconds of settlement load
        #[arg(long, default_value_t = 30)]
        load_seconds: u64,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 实时结算吞吐与时延（写入测试人群与结算记录，请使用专用数据库）
    /// / settlement throughput and latency (writes a test population and settlements: use a scratch database)
    Settle {
        /// 并发客户端数 / concurrent clients
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// 持续秒数 / seconds to run
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// 测试人群规模 / insured persons in the test population
        #[arg(long, default_value_t = 10000)]
        persons: u32,
        /// 经本机回环 HTTP 调用结算接口（带机构令牌），而非进程内直接调用
        /// / drive POST /api/v1/settlements over loopback HTTP with an institution token
        #[arg(long)]
        http: bool,
        /// 改为压测已在运行的服务（如负载均衡器地址 http://127.0.0.1:8400）；测试人群写入 --database-url
        /// 所指的该服务的数据库 / drive an already running yibao (e.g. the load balancer) over HTTP
        /// instead of an in-process server; the population goes into its database (--database-url)
        #[arg(long, value_name = "BASE_URL")]
        target: Option<String>,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// 输出 JSON / print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PartitionCommand {
    /// 列出各月分区（结算台账与办件各表；行数估计、大小） / list the monthly partitions of the ledger
    /// and the case tables (row estimate, size)
    List {
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 预建分区（默认本月及其后 3 个月；默认分区中该月的记录随之迁入）/ create partitions
    /// ahead (default the current month and 3 after it; rows of the month in the default
    /// partition move into it)
    Ensure {
        /// 起始月份 YYYY-MM（默认本月，北京时间） / first month (default the current one)
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// 其后再建几个月 / months after it
        #[arg(long, default_value_t = 3)]
        ahead: u32,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// 分离一个过去月份的分区：结算台账与办件各表（其表保留，归档后可删除；该月仍有未办结办件时拒绝）
    /// / detach a past month's partitions, the ledger's and the case tables' (the tables stay
    /// until archived and dropped; refused while a case of the month is not in a final state)
    Detach {
        /// 月份 YYYY-MM / the month
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        /// 只分离 ledger（结算台账）或 cases（办件各表） / only `ledger` or only `cases`
        #[arg(long, value_name = "ledger|cases")]
        only: Option<String>,
        /// 数据库地址 / database URL
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
}
