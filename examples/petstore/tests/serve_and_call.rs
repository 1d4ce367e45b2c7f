//! The generated server and client talk over real HTTP: an in-memory store implements the generated
//! trait, poem serves it on a loopback port, and the generated client calls it.

use std::sync::Mutex;

use obakit_example_petstore::petstore::client::PetstoreClient;
use obakit_example_petstore::petstore::handler::{
    AddPetPhotoResponse, AddPetResponse, FollowPetResponse, GetPetCardResponse, GetPetResponse,
    ListPetsResponse, PetstoreApi, PutPetNote200Content, PutPetNoteRequestContent,
    PutPetNoteResponse, SearchPetsResponse,
};
use obakit_example_petstore::petstore::server::PetstoreServer;
use obakit_example_petstore::petstore::types::{
    AddPetPhotoMultipart, GetPetCardFormat, Kind, NewPet, Note, Pet, PetFilter, Photo, Problem,
    Taken,
};
use obakit_runtime::{FilePart, JsonPart};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem_openapi::payload::{Binary, Json, PlainText};

/// The pets in memory; ids count from 1.
#[derive(Default)]
struct Store {
    pets: Mutex<Vec<Pet>>,
}

impl PetstoreApi for Store {
    async fn add_pet(&self, body: NewPet) -> poem::Result<AddPetResponse> {
        let mut pets = self.pets.lock().expect("store lock");
        let pet = Pet {
            name: body.name,
            kind: body.kind,
            tags: body.tags,
            id: i64::try_from(pets.len()).expect("few pets") + 1,
        };
        pets.push(pet.clone());
        Ok(AddPetResponse::Created(Json(pet)))
    }

    async fn get_pet(&self, pet_id: i64) -> poem::Result<GetPetResponse> {
        let pets = self.pets.lock().expect("store lock");
        Ok(match pets.iter().find(|p| p.id == pet_id) {
            Some(pet) => GetPetResponse::Ok(Json(pet.clone())),
            None => GetPetResponse::NotFound(Json(Problem {
                message: format!("no pet {pet_id}"),
            })),
        })
    }

    async fn get_pet_card(
        &self,
        pet_id: i64,
        format: GetPetCardFormat,
        visitor: Option<String>,
    ) -> poem::Result<GetPetCardResponse> {
        let pets = self.pets.lock().expect("store lock");
        let pet = pets
            .iter()
            .find(|p| p.id == pet_id)
            .ok_or_else(|| poem::Error::from_status(poem::http::StatusCode::NOT_FOUND))?;
        let card = match format {
            GetPetCardFormat::Md => format!("# {}", pet.name),
            _ => pet.name.clone(),
        };
        let card = match visitor {
            Some(visitor) => format!("{card}, for {visitor}"),
            None => card,
        };
        Ok(GetPetCardResponse::Ok(PlainText(card)))
    }

    async fn list_pets(
        &self,
        kind: Option<Kind>,
        limit: Option<i32>,
    ) -> poem::Result<ListPetsResponse> {
        let pets = self.pets.lock().expect("store lock");
        let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(0));
        let found = pets
            .iter()
            .filter(|p| kind.as_ref().is_none_or(|k| &p.kind == k))
            .take(limit)
            .cloned()
            .collect();
        Ok(ListPetsResponse::Ok(Json(found)))
    }

    async fn put_pet_note(
        &self,
        _pet_id: i64,
        body: PutPetNoteRequestContent,
    ) -> poem::Result<PutPetNoteResponse> {
        // Answers in the media type it was sent, so that the test sees both sides choose.
        Ok(PutPetNoteResponse::Ok(match body {
            PutPetNoteRequestContent::Json(Json(note)) => PutPetNote200Content::Json(Json(Note {
                text: note.text.to_uppercase(),
                additional_properties: note.additional_properties,
            })),
            PutPetNoteRequestContent::Plain(PlainText(text)) => {
                PutPetNote200Content::Plain(PlainText(text.to_uppercase()))
            }
        }))
    }

    async fn follow_pet(&self, pet_id: i64) -> poem::Result<FollowPetResponse> {
        let events = format!("event: fed\ndata: {pet_id}\n\nevent: walked\ndata: {pet_id}\n\n");
        Ok(FollowPetResponse::Ok(Binary(poem::Body::from_string(
            events,
        ))))
    }

    async fn search_pets(
        &self,
        names: Option<Vec<String>>,
        ids: Option<Vec<i64>>,
        filter: Option<PetFilter>,
    ) -> poem::Result<SearchPetsResponse> {
        let pets = self.pets.lock().expect("store lock");
        let filter = filter.unwrap_or(PetFilter {
            kind: None,
            min_id: None,
            tags: None,
        });
        let found = pets
            .iter()
            .filter(|p| names.as_ref().is_none_or(|n| n.contains(&p.name)))
            .filter(|p| ids.as_ref().is_none_or(|i| i.contains(&p.id)))
            .filter(|p| filter.kind.as_ref().is_none_or(|k| &p.kind == k))
            .filter(|p| filter.min_id.is_none_or(|m| p.id >= m))
            .filter(|p| {
                filter.tags.as_ref().is_none_or(|wanted| {
                    wanted
                        .iter()
                        .all(|t| p.tags.as_ref().is_some_and(|tags| tags.contains(t)))
                })
            })
            .cloned()
            .collect();
        Ok(SearchPetsResponse::Ok(Json(found)))
    }

    async fn add_pet_photo(
        &self,
        pet_id: i64,
        body: AddPetPhotoMultipart,
    ) -> poem::Result<AddPetPhotoResponse> {
        if !self
            .pets
            .lock()
            .expect("store lock")
            .iter()
            .any(|p| p.id == pet_id)
        {
            return Err(poem::Error::from_status(poem::http::StatusCode::NOT_FOUND));
        }
        Ok(AddPetPhotoResponse::Created(Json(Photo {
            size: i64::try_from(body.photo.bytes.len()).expect("a small photo"),
            file_name: body.photo.file_name,
            content_type: body.photo.content_type,
            caption: body.caption,
            tags: body.tags,
            taken: body.taken.map(|t| t.0),
        })))
    }
}

/// Serves the store on a free loopback port; the client for it and the base URL.
async fn serve_at() -> (PetstoreClient, String) {
    let service =
        poem_openapi::OpenApiService::new(PetstoreServer::new(Store::default()), "Pet store", "1");
    let app = poem::Route::new().nest("/", service);
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind 127.0.0.1:0");
    let addr = *acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("a TCP address");
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
    let base = format!("http://{addr}");
    let client = PetstoreClient::new(&base).expect("a valid base URL");
    (client, base)
}

async fn serve() -> PetstoreClient {
    serve_at().await.0
}

fn new_pet(name: &str, kind: Kind) -> NewPet {
    NewPet {
        name: name.to_owned(),
        kind,
        tags: None,
    }
}

#[tokio::test]
async fn a_pet_added_through_the_client_is_read_back_and_listed_by_kind() {
    let client = serve().await;

    let added = match client.add_pet(&new_pet("Tom", Kind::Cat)).await {
        Ok(AddPetResponse::Created(Json(pet))) => pet,
        other => panic!("adding a pet: {other:?}"),
    };
    assert_eq!((added.id, added.name.as_str()), (1, "Tom"));
    client
        .add_pet(&new_pet("Rex", Kind::Dog))
        .await
        .expect("adding a second pet");

    match client.get_pet(1).await {
        Ok(GetPetResponse::Ok(Json(pet))) => assert_eq!(pet, added),
        other => panic!("reading pet 1: {other:?}"),
    }
    match client.list_pets(Some(Kind::Dog), None).await {
        Ok(ListPetsResponse::Ok(Json(pets))) => {
            let names: Vec<&str> = pets.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, ["Rex"]);
        }
        other => panic!("listing dogs: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_pet_is_a_typed_404_and_an_invalid_one_a_typed_400() {
    let client = serve().await;

    match client.get_pet(42).await {
        Ok(GetPetResponse::NotFound(Json(problem))) => assert_eq!(problem.message, "no pet 42"),
        other => panic!("reading an unknown pet: {other:?}"),
    }
    // `name` has minLength 1: the generated server refuses it before the store sees it, in the
    // spec's error body (`Problem`), and the store stays empty.
    match client.add_pet(&new_pet("", Kind::Fish)).await {
        Ok(AddPetResponse::BadRequest(Json(problem))) => {
            assert_eq!(problem.message, "invalid body field");
        }
        other => panic!("adding a nameless pet: {other:?}"),
    }
    match client.list_pets(None, None).await {
        Ok(ListPetsResponse::Ok(Json(pets))) => assert!(pets.is_empty(), "{pets:?}"),
        other => panic!("listing pets: {other:?}"),
    }
}

#[tokio::test]
async fn a_cookie_parameter_is_sent_by_the_client_and_read_by_the_server_as_it_was_given() {
    let client = serve().await;
    client
        .add_pet(&new_pet("Nemo", Kind::Fish))
        .await
        .expect("adding a pet");

    // Separators, spaces, `%` and non-ASCII text travel escaped and arrive as they were.
    let visitor = "Zoë; 50% \"fan\"".to_owned();
    match client
        .get_pet_card(1, GetPetCardFormat::Txt, Some(visitor))
        .await
    {
        Ok(GetPetCardResponse::Ok(PlainText(card))) => {
            assert_eq!(card, "Nemo, for Zoë; 50% \"fan\"")
        }
        other => panic!("reading the card: {other:?}"),
    }
}

#[tokio::test]
async fn a_parameter_inside_a_path_segment_is_sent_and_read_with_the_literal_text_around_it() {
    let (client, base) = serve_at().await;
    client
        .add_pet(&new_pet("Nemo", Kind::Fish))
        .await
        .expect("adding a pet");

    // The client writes `/pets/1/card.md`; the server reads `1` and `md` back out of it.
    match client.get_pet_card(1, GetPetCardFormat::Md, None).await {
        Ok(GetPetCardResponse::Ok(PlainText(card))) => assert_eq!(card, "# Nemo"),
        other => panic!("reading the card: {other:?}"),
    }
    // The same segment without the spec's literal text names nothing.
    let status = reqwest::get(format!("{base}/pets/1/badge.md"))
        .await
        .expect("the server answers")
        .status();
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_multipart_photo_with_its_fields_is_sent_by_the_client_and_read_by_the_server() {
    let client = serve().await;
    client
        .add_pet(&new_pet("Nemo", Kind::Fish))
        .await
        .expect("adding a pet");

    let form = AddPetPhotoMultipart {
        photo: FilePart::new(vec![0x89, b'P', b'N', b'G'])
            .with_file_name("nemo.png")
            .with_content_type("image/png"),
        caption: Some("In the reef".to_owned()),
        tags: vec!["orange".to_owned(), "small".to_owned()],
        taken: Some(JsonPart(Taken {
            year: 2024,
            place: None,
        })),
    };
    match client.add_pet_photo(1, &form).await {
        Ok(AddPetPhotoResponse::Created(Json(photo))) => assert_eq!(
            photo,
            Photo {
                size: 4,
                file_name: Some("nemo.png".to_owned()),
                content_type: Some("image/png".to_owned()),
                caption: Some("In the reef".to_owned()),
                tags: vec!["orange".to_owned(), "small".to_owned()],
                taken: Some(Taken {
                    year: 2024,
                    place: None
                }),
            }
        ),
        other => panic!("adding a photo: {other:?}"),
    }
}

#[tokio::test]
async fn delimited_and_deep_object_query_parameters_reach_the_server_as_sent() {
    let client = serve().await;
    for (name, kind, tags) in [
        ("Tom Cat", Kind::Cat, vec!["striped", "old"]),
        ("Felix", Kind::Cat, vec!["striped"]),
        ("Rex", Kind::Dog, vec!["striped", "old"]),
    ] {
        let mut pet = new_pet(name, kind);
        pet.tags = Some(tags.into_iter().map(str::to_owned).collect());
        client.add_pet(&pet).await.expect("adding a pet");
    }
    let names = |answer| match answer {
        Ok(SearchPetsResponse::Ok(Json(pets))) => {
            pets.into_iter().map(|p: Pet| p.name).collect::<Vec<_>>()
        }
        other => panic!("searching: {other:?}"),
    };

    // `names=Tom Cat|Rex`, `ids=1 2 3`, `filter[kind]=cat&filter[minId]=1&filter[tags][]=old`.
    let filter = PetFilter {
        kind: Some(Kind::Cat),
        min_id: Some(1),
        tags: Some(vec!["old".to_owned()]),
    };
    let found = client
        .search_pets(
            Some(vec!["Tom Cat".to_owned(), "Rex".to_owned()]),
            Some(vec![1, 2, 3]),
            Some(filter),
        )
        .await;
    assert_eq!(names(found), ["Tom Cat"]);

    let found = client
        .search_pets(
            None,
            Some(vec![2, 3]),
            Some(PetFilter {
                kind: None,
                min_id: None,
                tags: Some(vec!["striped".to_owned()]),
            }),
        )
        .await;
    assert_eq!(names(found), ["Felix", "Rex"]);
}

#[tokio::test]
async fn a_body_in_either_media_type_is_read_as_its_variant_and_so_is_the_answer_with_extra_properties()
 {
    let client = serve().await;
    // `mood` is none of the note's named properties: it travels in the flattened map.
    let sent = PutPetNoteRequestContent::Json(Json(Note {
        text: "shy".to_owned(),
        additional_properties: [("mood".to_owned(), "calm".to_owned())].into(),
    }));
    match client.put_pet_note(1, &sent).await {
        Ok(PutPetNoteResponse::Ok(PutPetNote200Content::Json(Json(note)))) => {
            assert_eq!(note.text, "SHY");
            assert_eq!(
                note.additional_properties,
                [("mood".to_owned(), "calm".to_owned())].into()
            );
        }
        other => panic!("a JSON note: {other:?}"),
    }
    let sent = PutPetNoteRequestContent::Plain(PlainText("bites".to_owned()));
    match client.put_pet_note(1, &sent).await {
        Ok(PutPetNoteResponse::Ok(PutPetNote200Content::Plain(PlainText(text)))) => {
            assert_eq!(text, "BITES");
        }
        other => panic!("a text note: {other:?}"),
    }
}

#[tokio::test]
async fn an_event_stream_is_handed_to_the_client_as_a_body_it_reads_itself() {
    let client = serve().await;
    let body = match client.follow_pet(7).await {
        Ok(FollowPetResponse::Ok(Binary(body))) => body,
        other => panic!("following a pet: {other:?}"),
    };
    assert_eq!(
        body.into_string().await.expect("the events"),
        "event: fed\ndata: 7\n\nevent: walked\ndata: 7\n\n"
    );
}
