//! Configuration: built-in defaults, then a TOML file, then environment variables, then
//! command-line flags — each overriding the one before. No configuration at all means SQLite in
//! `./yibao-data/` and 127.0.0.1:8080.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

pub const DEFAULT_CONFIG_FILE: &str = "yibao.toml";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "yibao-data";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    /// Addresses of the load balancers in front, whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// CA certificates (PEM) trusted for `https://` peers besides Mozilla's roots.
    pub federation_ca_file: Option<PathBuf>,
    /// Where the configuration came from, for the start-up log.
    pub sources: Vec<String>,
}

/// The keys a configuration file may hold; anything else is an error, not a silent typo.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    log_format: Option<LogFormat>,
    trusted_proxies: Option<Vec<String>>,
    federation_ca_file: Option<PathBuf>,
}

/// Reads an environment variable, or the file named by `<NAME>_FILE` (for secrets mounted as
/// files). Setting both is an error.
fn env_or_file(name: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<String>> {
    let direct = env(name);
    let file_var = format!("{name}_FILE");
    match (direct, env(&file_var)) {
        (Some(_), Some(_)) => {
            bail!("{name} 和 {file_var} 不能同时设置 / set only one of {name} and {file_var}")
        }
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => {
            let v = std::fs::read_to_string(&path).with_context(|| {
                format!("无法读取 {file_var} 指定的文件 {path} / cannot read {path}")
            })?;
            Ok(Some(v.trim().to_string()))
        }
        (None, None) => Ok(None),
    }
}

impl Config {
    /// Loads the configuration. `file` is the `--config` flag; without it, `YIBAO_CONFIG` or
    /// `./yibao.toml` if present.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let mut sources = vec!["defaults".to_string()];
        let path = file
            .map(Path::to_path_buf)
            .or_else(|| env("YIBAO_CONFIG").map(PathBuf::from));
        let explicit = path.is_some();
        let path = path.unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE));
        let from_file = if path.exists() {
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!("无法读取配置文件 {} / cannot read config", path.display())
            })?;
            sources.push(path.display().to_string());
            toml::from_str::<FileConfig>(&text).with_context(|| {
                format!("配置文件 {} 有误 / invalid config file", path.display())
            })?
        } else if explicit {
            bail!("配置文件 {} 不存在 / config file not found", path.display());
        } else {
            FileConfig::default()
        };

        let data_dir = env("YIBAO_DATA_DIR")
            .map(PathBuf::from)
            .or(from_file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = match env_or_file("YIBAO_DATABASE_URL", env)? {
            Some(url) => {
                sources.push("YIBAO_DATABASE_URL".into());
                url
            }
            None => from_file
                .database_url
                .unwrap_or_else(|| format!("sqlite://{}/yibao.db", data_dir.display())),
        };
        let bind = env("YIBAO_BIND")
            .or(from_file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.to_string());
        let log_format = match env("YIBAO_LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            Some(other) => {
                bail!("YIBAO_LOG_FORMAT 只能是 text 或 json，收到 {other} / must be text or json")
            }
            None => from_file.log_format.unwrap_or(LogFormat::Text),
        };
        let proxies: Vec<String> = match env("YIBAO_TRUSTED_PROXIES") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            None => from_file.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = proxies
            .iter()
            .map(|p| {
                p.parse().with_context(|| {
                    format!("YIBAO_TRUSTED_PROXIES 中的 {p} 不是 IP 地址 / not an IP address")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let federation_ca_file = env("YIBAO_FEDERATION_CA_FILE")
            .map(PathBuf::from)
            .or(from_file.federation_ca_file);
        Ok(Config {
            database_url,
            bind,
            data_dir,
            log_format,
            trusted_proxies,
            federation_ca_file,
            sources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn no_configuration_means_sqlite_in_yibao_data() {
        let dir = std::env::temp_dir().join("yibao-config-test-none");
        let c = Config::load(Some(&dir.join("missing.toml")), &env_of(&[]));
        assert!(c.is_err(), "an explicit missing file is an error");
        let c = Config::load(
            None,
            &env_of(&[("YIBAO_CONFIG", "/nonexistent/yibao.toml")]),
        );
        assert!(c.is_err());
        let c = Config::load(None, &env_of(&[])).unwrap();
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://yibao-data/yibao.db");
        assert_eq!(c.log_format, LogFormat::Text);
    }

    #[test]
    fn environment_overrides_file() {
        let dir = std::env::temp_dir().join(format!("yibao-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("yibao.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\ndata_dir = \"/var/lib/yibao\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), &env_of(&[])).unwrap();
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.database_url, "sqlite:///var/lib/yibao/yibao.db");
        let c = Config::load(
            Some(&file),
            &env_of(&[
                ("YIBAO_BIND", "127.0.0.1:7000"),
                ("YIBAO_DATABASE_URL", "postgres://u@h/db"),
                ("YIBAO_LOG_FORMAT", "json"),
                ("YIBAO_FEDERATION_CA_FILE", "/etc/yibao/bureaus-ca.pem"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.federation_ca_file.as_deref(),
            Some(Path::new("/etc/yibao/bureaus-ca.pem"))
        );
        assert_eq!(c.bind, "127.0.0.1:7000");
        assert_eq!(c.database_url, "postgres://u@h/db");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn secrets_come_from_files_and_typos_are_refused() {
        let dir = std::env::temp_dir().join(format!("yibao-config-test2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("db-url");
        std::fs::write(&secret, "postgres://u:secret@h/db\n").unwrap();
        let secret_path = secret.display().to_string();
        let c = Config::load(
            None,
            &env_of(&[("YIBAO_DATABASE_URL_FILE", secret_path.as_str())]),
        )
        .unwrap();
        assert_eq!(c.database_url, "postgres://u:secret@h/db");

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "bnid = \"x\"\n").unwrap();
        let err = Config::load(Some(&bad), &env_of(&[])).unwrap_err();
        assert!(format!("{err:#}").contains("bnid"), "{err:#}");
        assert!(Config::load(None, &env_of(&[("YIBAO_LOG_FORMAT", "xml")])).is_err());
    }
}
