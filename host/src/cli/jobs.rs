//! `dcmaid jobs list | add | remove | enable | disable | run`: scheduled jobs, wherever they
//! are (see [`super::operator`]).

use dcmaid_host::Config;
use dcmaid_host::api::jobs::NewJob;
use dcmaid_host::cron::JobView;

use super::args::JobsCommand;
use super::operator::Operator;

pub async fn run(config: Config, command: JobsCommand) -> anyhow::Result<()> {
    let operator = Operator::connect(config).await?;
    match command {
        JobsCommand::List => print_jobs(&operator.list().await?),
        JobsCommand::Add {
            name,
            cron,
            command,
            timezone,
            disabled,
            misfire_grace_secs,
            coalesce,
            max_instances,
        } => {
            let new = NewJob {
                name,
                cron,
                command,
                timezone,
                enabled: Some(!disabled),
                misfire_grace_secs,
                coalesce: Some(coalesce),
                max_instances,
            };
            let added = operator.add(new).await?;
            println!("added job `{}` to {}", added.name, operator.describe());
            print_jobs(&[added]);
        }
        JobsCommand::Remove { name } => {
            operator.remove(&name).await?;
            println!("removed job `{name}` from {}", operator.describe());
        }
        JobsCommand::Enable { name } => {
            print_jobs(&[operator.set_enabled(&name, true).await?]);
        }
        JobsCommand::Disable { name } => {
            print_jobs(&[operator.set_enabled(&name, false).await?]);
        }
        JobsCommand::Run { name } => match operator.run(&name).await? {
            Ok(()) => println!("job `{name}` ran: ok"),
            Err(error) => anyhow::bail!("job `{name}` failed: {error}"),
        },
    }
    Ok(())
}

fn print_jobs(jobs: &[JobView]) {
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("-".to_owned(), |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    };
    println!(
        "{:<28} {:<16} {:<28} {:<7} {:<8} {:<21} {:<21} LAST",
        "NAME", "CRON", "COMMAND", "SOURCE", "ENABLED", "NEXT RUN (UTC)", "LAST RUN (UTC)"
    );
    for job in jobs {
        let last = match (&job.last_status, &job.last_error) {
            (Some(status), Some(error)) => format!("{status}: {error}"),
            (Some(status), None) => status.clone(),
            (None, _) => "-".to_owned(),
        };
        let cron = match &job.timezone {
            Some(zone) => format!("{} ({zone})", job.cron),
            None => job.cron.clone(),
        };
        println!(
            "{:<28} {:<16} {:<28} {:<7} {:<8} {:<21} {:<21} {last}",
            job.name,
            cron,
            job.command,
            job.source.to_string(),
            job.enabled,
            time(job.next_run_at),
            time(job.last_run_at),
        );
    }
    if jobs.is_empty() {
        println!(
            "(no jobs: set [cron] schedules_file in dcmaid.toml, or add one with `dcmaid jobs add`)"
        );
    }
}
