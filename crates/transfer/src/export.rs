//! Building an export: the records of a kind this device holds as a table (the id, then every
//! field the device may read; personal-file and security fields only on request) or as the
//! JSON `carnet import` reads back.

use carnet_device::{Device, ReadError};
use carnet_model::{FieldClass, FieldSpec, FieldType, RecordKind};
use carnet_sheets::Sheet;

/// The fields an export writes: those this device may read (its role and agreement), personal
/// ones (personal file, governance, security) only when `personal` is asked.
pub fn exported_fields(
    device: &Device,
    kind: RecordKind,
    personal: bool,
) -> Vec<&'static FieldSpec> {
    kind.fields()
        .iter()
        .filter(|f| device.can_read(f.class))
        .filter(|f| personal || !(f.class.is_personal() || f.class == FieldClass::Sec))
        .collect()
}

/// Every `kind` record this device holds as a table whose headers are field names (what
/// `carnet import` maps back), for `carnet_sheets::write_csv` or `write_xlsx` (which neutralise
/// formula-looking cells).
pub fn export_sheet(device: &Device, kind: RecordKind, personal: bool) -> Result<Sheet, ReadError> {
    let fields = exported_fields(device, kind, personal);
    let mut sheet = Sheet {
        headers: vec!["id".into()],
        date_columns: vec![false],
        number_columns: Vec::new(),
        rows: Vec::new(),
    };
    sheet
        .headers
        .extend(fields.iter().map(|f| f.name.to_owned()));
    sheet
        .date_columns
        .extend(fields.iter().map(|f| f.ty == FieldType::Date));
    for r in device.list(kind)? {
        let mut row = vec![r.id.to_string()];
        row.extend(fields.iter().map(|f| {
            r.fields
                .get(f.name)
                .map(|s| s.value.to_string())
                .unwrap_or_default()
        }));
        sheet.rows.push(row);
    }
    Ok(sheet)
}

/// Every `kind` record this device holds as JSON objects (`id`, then the fields
/// [`exported_fields`] gives), as `carnet export --json` writes them.
pub fn export_json(
    device: &Device,
    kind: RecordKind,
    personal: bool,
) -> Result<Vec<serde_json::Value>, ReadError> {
    let fields = exported_fields(device, kind, personal);
    Ok(device
        .list(kind)?
        .iter()
        .map(|r| {
            let mut obj = serde_json::Map::new();
            obj.insert("id".into(), r.id.to_string().into());
            for f in &fields {
                if let Some(s) = r.fields.get(f.name) {
                    obj.insert(f.name.into(), s.value.to_json());
                }
            }
            serde_json::Value::Object(obj)
        })
        .collect())
}
