//! `weather`: OpenWeatherMap's current weather (`/data/2.5/weather`), in metric units, with
//! the key from the plugin's settings.

use dcmaid_sdk::PluginError;
use serde_json::{Value, json};

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": { "city": { "type": "string", "description": "A city, e.g. `Berlin` or `Paris,FR`" } },
        "required": ["city"],
    })
}

pub fn run(arguments: &Value) -> Result<String, PluginError> {
    let city = crate::argument(arguments, "city")?;
    let key = crate::setting("openweathermap_api_key")?;
    let path = format!(
        "/data/2.5/weather?{}",
        crate::query(&[("q", city), ("appid", &key), ("units", "metric")])
    );
    let url = crate::endpoint("openweathermap_url", &path)?;
    let report = crate::get_json(&url, &[], "OpenWeatherMap")?;
    Ok(describe(city, &report))
}

fn describe(city: &str, report: &Value) -> String {
    let number = |path: &[&str]| {
        path.iter().try_fold(report, |value, key| value.get(key)).and_then(Value::as_f64)
    };
    let name = report.get("name").and_then(Value::as_str).unwrap_or(city);
    let country = report.pointer("/sys/country").and_then(Value::as_str);
    let sky = report.pointer("/weather/0/description").and_then(Value::as_str);
    let mut text = match country {
        Some(country) => format!("{name}, {country}"),
        None => name.to_owned(),
    };
    text.push(':');
    if let Some(sky) = sky {
        text.push_str(&format!(" {sky},"));
    }
    if let Some(temperature) = number(&["main", "temp"]) {
        text.push_str(&format!(" {temperature:.1} °C"));
    }
    if let Some(feels) = number(&["main", "feels_like"]) {
        text.push_str(&format!(" (feels like {feels:.1} °C)"));
    }
    if let Some(humidity) = number(&["main", "humidity"]) {
        text.push_str(&format!(", humidity {humidity:.0}%"));
    }
    if let Some(wind) = number(&["wind", "speed"]) {
        text.push_str(&format!(", wind {wind:.1} m/s"));
    }
    text
}
